import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PaymentChannel } from '../../../typings/api';
import { PRODUCTS } from '../../catalog';
import { CatalogResponseSchema, ORDER_LIMITS, errorResponses } from '../../schemas';

export interface CatalogDeps {
  /** The payment channels this server takes: the shop offers exactly these. */
  channels: readonly PaymentChannel[];
}

const catalog: FastifyPluginAsyncTypebox<CatalogDeps> = async (app, deps) => {
  app.get(
    '/api/catalog',
    { schema: { response: { 200: CatalogResponseSchema, ...errorResponses } } },
    async () => ({
      products: [...PRODUCTS],
      limits: { ...ORDER_LIMITS },
      channels: [...deps.channels],
    }),
  );
};

export default catalog;
