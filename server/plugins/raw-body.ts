/**
 * Keeps bodies of the given content types as raw bytes in the scope it is registered in, and
 * accepts no other type there (415): notifications are verified over the exact bytes WeChat
 * sent, never over a re-serialised object.
 */
import type { FastifyInstance } from 'fastify';

export function rawBody(
  app: FastifyInstance,
  contentTypes: readonly string[],
  bodyLimit: number,
): void {
  app.removeAllContentTypeParsers();
  for (const type of contentTypes) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
      done(null, body);
    });
  }
}
