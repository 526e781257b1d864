import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireAdmin } from '../../../plugins/auth';
import {
  BearerHeadersSchema,
  OrderParamsSchema,
  RefundRequestSchema,
  RefundResponseSchema,
  errorResponses,
} from '../../../schemas';
import type { RouteDeps } from '../../types';

const refund: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  app.post(
    '/api/orders/:orderNo/refund',
    {
      schema: {
        params: OrderParamsSchema,
        headers: BearerHeadersSchema,
        body: RefundRequestSchema,
        response: { 200: RefundResponseSchema, ...errorResponses },
      },
    },
    async (req) => {
      requireAdmin(deps.config.adminToken, req.headers.authorization);
      return deps.orders.refund(req.params.orderNo, req.body.amount, req.body.reason);
    },
  );
};

export default refund;
