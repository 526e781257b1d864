/**
 * JSON bodies must be UTF-8 (RFC 8259 §8.1). Fastify's own parser decodes the bytes leniently,
 * so invalid UTF-8 inside a string became U+FFFD and was stored (a remark) as if typed: here
 * such a body is refused as malformed, a 400 before any route runs. Everything else is
 * Fastify's default parser unchanged (prototype poisoning refused, body limits as configured).
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { ApiFailure } from '../errors';

export function utf8JsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    if (!isUtf8(bytes)) {
      done(new ApiFailure(400, 'VALIDATION_ERROR', 'the body is not valid UTF-8'), undefined);
      return;
    }
    parse(req, bytes.toString('utf8'), done);
  });
}
