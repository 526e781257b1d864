import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  BearerHeadersSchema,
  OrderParamsSchema,
  PayResponseSchema,
  errorResponses,
} from '../../../schemas';
import type { RouteDeps } from '../../types';

const pay: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  app.post(
    '/api/orders/:orderNo/pay',
    {
      schema: {
        params: OrderParamsSchema,
        headers: BearerHeadersSchema,
        response: { 200: PayResponseSchema, ...errorResponses },
      },
    },
    async (req) => {
      const openid = await deps.sessions.authenticate(req.headers.authorization);
      return deps.orders.pay(req.params.orderNo, openid);
    },
  );
};

export default pay;
