/**
 * POST /api/orders/:orderNo/jump-out: the signed wx.navigateToMiniProgram arguments for paying
 * the order at the aggregator's cashier mini program (see aggregator/jump-out.ts for who may).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { JumpOut } from '../../../aggregator/jump-out';
import {
  JumpOutResponseSchema,
  OrderAccessHeadersSchema,
  OrderParamsSchema,
  errorResponses,
} from '../../../schemas';

const jumpOut: FastifyPluginAsyncTypebox<{ jumpOut: JumpOut }> = async (app, deps) => {
  app.post(
    '/api/orders/:orderNo/jump-out',
    {
      config: { auth: 'optional-session' },
      schema: {
        params: OrderParamsSchema,
        headers: OrderAccessHeadersSchema,
        response: { 200: JumpOutResponseSchema, ...errorResponses },
      },
    },
    async (req) =>
      deps.jumpOut.start(req.params.orderNo, {
        openid: req.openid,
        token: req.headers['x-order-token'],
      }),
  );
};

export default jumpOut;
