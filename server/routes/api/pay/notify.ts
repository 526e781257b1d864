/**
 * POST /api/pay/notify: payment and refund notifications from WeChat Pay. The scheme decides the
 * wire (v3: JSON, an empty 204 after the database commit, failures `{ code: 'FAIL', message }`;
 * API v2: XML in, `<xml><return_code>SUCCESS</return_code>…` out). Every failure is a 4xx/5xx so
 * WeChat retries.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { rawBody } from '../../../plugins/raw-body';
import { NotifyFailure } from '../../../services/notify';
import type { NotifyAnswer } from '../../../wechat/pay/port';
import type { RouteDeps } from '../../types';

const NOTIFY_BODY_LIMIT = 64 * 1024;

function send(reply: FastifyReply, a: NotifyAnswer): FastifyReply {
  reply.code(a.status);
  if (a.contentType) reply.type(a.contentType);
  return reply.send(a.body);
}

const notify: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  rawBody(app, deps.notify.contentTypes, NOTIFY_BODY_LIMIT);
  app.setErrorHandler((error: Error & { statusCode?: number }, req, reply) => {
    const status =
      error instanceof NotifyFailure
        ? error.statusCode
        : error.statusCode && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500;
    if (status >= 500) req.log.error({ err: error }, 'notification failed');
    const message = status >= 500 ? 'internal error' : error.message;
    return send(reply, deps.notify.answer({ status, message }));
  });
  app.post('/api/pay/notify', { bodyLimit: NOTIFY_BODY_LIMIT }, async (req, reply) => {
    const raw = req.body;
    if (!Buffer.isBuffer(raw)) throw new NotifyFailure(400, 'a notification body is required');
    await deps.notify.handle(req.headers, raw);
    return send(reply, deps.notify.answer());
  });
};

export default notify;
