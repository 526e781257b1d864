/**
 * POST /api/pay/notify: payment and refund notifications from WeChat Pay. Success is an empty
 * 204 after the database commit; every failure is `{ code: 'FAIL', message }` with 4xx/5xx so
 * WeChat retries.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { rawJsonBody } from '../../../plugins/raw-body';
import { FailSchema } from '../../../schemas';
import { NotifyFailure } from '../../../services/notify';
import type { RouteDeps } from '../../types';

const NOTIFY_BODY_LIMIT = 64 * 1024;

const notify: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  rawJsonBody(app, NOTIFY_BODY_LIMIT);
  app.setErrorHandler((error: Error & { statusCode?: number }, req, reply) => {
    const status =
      error instanceof NotifyFailure
        ? error.statusCode
        : error.statusCode && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500;
    if (status >= 500) req.log.error({ err: error }, 'notification failed');
    return reply
      .code(status)
      .send({ code: 'FAIL', message: status >= 500 ? 'internal error' : error.message });
  });
  const fail = {
    400: FailSchema,
    401: FailSchema,
    404: FailSchema,
    413: FailSchema,
    415: FailSchema,
    500: FailSchema,
  };
  app.post(
    '/api/pay/notify',
    { bodyLimit: NOTIFY_BODY_LIMIT, schema: { response: { 204: Type.Null(), ...fail } } },
    async (req, reply) => {
      const raw = req.body;
      if (!Buffer.isBuffer(raw)) throw new NotifyFailure(400, 'a JSON body is required');
      await deps.notify.handle(req.headers, raw);
      return reply.code(204).send(null);
    },
  );
};

export default notify;
