/**
 * Keeps bodies of the given content types as raw bytes in the scope it is registered in:
 * notifications are verified over the exact bytes WeChat sent, never over a re-serialised object.
 */
import type { FastifyInstance } from 'fastify';

export function rawBody(
  app: FastifyInstance,
  contentTypes: readonly string[],
  bodyLimit: number,
): void {
  for (const type of contentTypes) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
      done(null, body);
    });
  }
}
