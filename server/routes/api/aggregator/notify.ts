/**
 * POST /api/aggregator/notify: the aggregator's payment notifications, in its provider's wire
 * (md5-sorted: a signed form, answered `success`). The body is kept raw for verification and
 * only the provider's content types are taken (else 415); every refusal is the provider's
 * non-success answer, so the aggregator retries, and changes nothing.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { AggregatorNotifications } from '../../../aggregator/notifications';
import { AggregatorRefusal } from '../../../aggregator/provider';
import type { AggregatorAnswer, AggregatorProvider } from '../../../aggregator/provider';
import { rawBody } from '../../../plugins/raw-body';

const NOTIFY_BODY_LIMIT = 64 * 1024;

interface Deps {
  provider: AggregatorProvider;
  notifications: AggregatorNotifications;
}

const notify: FastifyPluginAsync<Deps> = async (app, deps) => {
  rawBody(app, deps.provider.notifyContentTypes, NOTIFY_BODY_LIMIT);
  const send = (reply: FastifyReply, a: AggregatorAnswer): FastifyReply =>
    reply.code(a.status).type(a.contentType).send(a.body);

  app.setErrorHandler((error: Error & { statusCode?: number }, req, reply) => {
    const status =
      error instanceof AggregatorRefusal
        ? error.status
        : error.statusCode && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500;
    // The reason only: never the body (it carries the payer) nor, of course, the key.
    if (status >= 500) req.log.error({ err: error }, 'aggregator notification failed');
    else req.log.warn({ status, reason: error.message }, 'aggregator notification refused');
    return send(
      reply,
      deps.provider.refusal(status, status >= 500 ? 'internal error' : error.message),
    );
  });

  app.post('/api/aggregator/notify', { bodyLimit: NOTIFY_BODY_LIMIT }, async (req, reply) => {
    const raw = req.body;
    if (!Buffer.isBuffer(raw)) throw new AggregatorRefusal(400, 'a notification body is required');
    await deps.notifications.handle(raw, req.headers['content-type']);
    return send(reply, deps.provider.ack());
  });
};

export default notify;
