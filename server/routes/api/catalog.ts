import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PRODUCTS } from '../../catalog';
import { CatalogResponseSchema, ORDER_LIMITS, errorResponses } from '../../schemas';

const catalog: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/catalog',
    { schema: { response: { 200: CatalogResponseSchema, ...errorResponses } } },
    async () => ({ products: [...PRODUCTS], limits: { ...ORDER_LIMITS } }),
  );
};

export default catalog;
