import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PaymentChannel } from '../../../typings/api';
import { PRODUCTS } from '../../catalog';
import { CatalogResponseSchema, ORDER_LIMITS, errorResponses } from '../../schemas';

/** Registered by app.ts exactly when AGGREGATOR_PROVIDER configures the jump-out channel. */
const AGGREGATOR_NOTIFY = { method: 'POST', url: '/api/aggregator/notify' } as const;

const catalog: FastifyPluginAsyncTypebox = async (app) => {
  // Which channels the shop may offer. The aggregator's notification route exists only when its
  // provider is configured, so its presence is the one fact to read; routes are fixed once the
  // server is ready, so the answer is worked out at the first request and kept.
  let channels: PaymentChannel[] | undefined;
  const channelsNow = (): PaymentChannel[] => {
    channels ??= app.hasRoute(AGGREGATOR_NOTIFY) ? ['plugin', 'jump-out'] : ['plugin'];
    return channels;
  };
  app.get(
    '/api/catalog',
    { schema: { response: { 200: CatalogResponseSchema, ...errorResponses } } },
    async () => ({
      products: [...PRODUCTS],
      limits: { ...ORDER_LIMITS },
      channels: [...channelsNow()],
    }),
  );
};

export default catalog;
