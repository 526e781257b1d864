/**
 * /api/orders: create, read, pay and refund an order. Authentication is declared per route
 * (`config.auth`) and enforced by the hook in plugins/auth.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { payerWithApp } from '../../plugins/auth';
import { verifiedHostApp } from '../../plugins/host-app';
import {
  BearerHeadersSchema,
  CreateOrderRequestSchema,
  CreatedOrderSchema,
  IdempotencyHeadersSchema,
  OrderAccessHeadersSchema,
  OrderParamsSchema,
  OrderSchema,
  PayResponseSchema,
  PayWithLoginResponseSchema,
  SessionRequestSchema,
  RefundRequestSchema,
  RefundResponseSchema,
  errorResponses,
} from '../../schemas';
import { toApiOrder } from '../../services/order-records';
import { upstream } from '../../services/upstream';
import type { RouteDeps } from '../types';

const orders: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  app.post(
    '/api/orders',
    {
      // No sign-in needed (a third-party host's plugin cannot sign in); a session, when sent,
      // scopes the Idempotency-Key to its payer.
      config: {
        auth: 'optional-session',
        rateLimit: { max: deps.config.orderRateLimit, timeWindow: 60_000 },
      },
      schema: {
        headers: IdempotencyHeadersSchema,
        body: CreateOrderRequestSchema,
        response: { 200: CreatedOrderSchema, 201: CreatedOrderSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      // Signature timestamps are wall-clock, as WeChat's are (not the business clock).
      const host = verifiedHostApp(req.headers, deps.config.pluginToken, Date.now());
      const { order, created } = await deps.records.create(
        req.body,
        req.headers['idempotency-key'],
        req.openid,
        host?.appId,
      );
      return reply.code(created ? 201 : 200).send(order);
    },
  );

  // The order's token (its creator) or its bound payer's session may read it.
  // While pending, WeChat is asked first (at most once per ORDER_QUERY_INTERVAL_MS per order).
  app.get(
    '/api/orders/:orderNo',
    {
      config: { auth: 'optional-session' },
      schema: {
        params: OrderParamsSchema,
        headers: OrderAccessHeadersSchema,
        response: { 200: OrderSchema, ...errorResponses },
      },
    },
    async (req) => {
      let row = await deps.records.get(req.params.orderNo);
      deps.records.assertViewer(row, { openid: req.openid, token: req.headers['x-order-token'] });
      if (row.status === 'pending' && row.prepay_id !== null) {
        try {
          row = await deps.settlement.refresh(row);
        } catch (err) {
          // The stored state is still an honest answer when WeChat cannot be reached.
          req.log.warn(
            { err: String(upstream(err)) },
            'order query failed; answering stored state',
          );
        }
      }
      return toApiOrder(row);
    },
  );

  app.post(
    '/api/orders/:orderNo/pay',
    {
      config: { auth: 'session' },
      schema: {
        params: OrderParamsSchema,
        headers: OrderAccessHeadersSchema,
        response: { 200: PayResponseSchema, ...errorResponses },
      },
    },
    async (req) =>
      deps.checkout.pay(req.params.orderNo, payerWithApp(req), req.headers['x-order-token']),
  );

  // A first payment in one request: the functional page's wx.login code is exchanged here and
  // the order paid at once (two round trips from the tap instead of three). Limited like sign-ins.
  app.post(
    '/api/orders/:orderNo/pay-with-login',
    {
      config: { rateLimit: { max: deps.config.sessionRateLimit, timeWindow: 60_000 } },
      schema: {
        params: OrderParamsSchema,
        headers: OrderAccessHeadersSchema,
        body: SessionRequestSchema,
        response: { 200: PayWithLoginResponseSchema, ...errorResponses },
      },
    },
    async (req) => {
      // An unknown order, an unknown app or one the scheme cannot pay under is refused before
      // the single-use code is spent on it.
      await deps.records.get(req.params.orderNo);
      const app = deps.sessions.resolveApp(req.body.appId);
      deps.checkout.assertPayerApp(app.appId);
      const { appId, ...session } = await deps.sessions.login(req.body.code, app.appId);
      const payment = await deps.checkout.pay(
        req.params.orderNo,
        { openid: session.openid, appId },
        req.headers['x-order-token'],
      );
      return { session, payment };
    },
  );

  app.post(
    '/api/orders/:orderNo/refund',
    {
      config: { auth: 'admin' },
      schema: {
        params: OrderParamsSchema,
        headers: BearerHeadersSchema,
        body: RefundRequestSchema,
        response: { 200: RefundResponseSchema, ...errorResponses },
      },
    },
    async (req) => deps.refunds.refund(req.params.orderNo, req.body.amount, req.body.reason),
  );
};

export default orders;
