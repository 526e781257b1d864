/**
 * /api/orders: create, read, pay and refund an order. Authentication is declared per route
 * (`config.auth`) and enforced by the hook in plugins/auth.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { payer } from '../../plugins/auth';
import {
  BearerHeadersSchema,
  CreateOrderRequestSchema,
  IdempotencyHeadersSchema,
  OrderParamsSchema,
  OrderSchema,
  PayResponseSchema,
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
      config: { rateLimit: { max: deps.config.orderRateLimit, timeWindow: 60_000 } },
      schema: {
        headers: IdempotencyHeadersSchema,
        body: CreateOrderRequestSchema,
        response: { 200: OrderSchema, 201: OrderSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { order, created } = await deps.records.create(
        req.body,
        req.headers['idempotency-key'],
      );
      return reply.code(created ? 201 : 200).send(order);
    },
  );

  // The payer who bound the order may read it; before binding, anyone holding the number may.
  // While pending, WeChat is asked first (at most once per ORDER_QUERY_INTERVAL_MS per order).
  app.get(
    '/api/orders/:orderNo',
    {
      config: { auth: 'session' },
      schema: {
        params: OrderParamsSchema,
        headers: BearerHeadersSchema,
        response: { 200: OrderSchema, ...errorResponses },
      },
    },
    async (req) => {
      let row = await deps.records.get(req.params.orderNo);
      deps.records.assertViewer(row, payer(req));
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
        headers: BearerHeadersSchema,
        response: { 200: PayResponseSchema, ...errorResponses },
      },
    },
    async (req) => deps.checkout.pay(req.params.orderNo, payer(req)),
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
