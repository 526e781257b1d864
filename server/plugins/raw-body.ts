/**
 * Keeps JSON bodies as raw bytes in the scope it is registered in: notifications are verified
 * over the exact bytes WeChat sent, never over a re-serialised object.
 */
import type { FastifyInstance } from 'fastify';

export function rawJsonBody(app: FastifyInstance, bodyLimit: number): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    (_req, body, done) => {
      done(null, body);
    },
  );
}
