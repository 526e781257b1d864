import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CashierAppInfo, PaymentChannel } from '../../../typings/api';
import { PRODUCTS } from '../../catalog';
import { CatalogResponseSchema, ORDER_LIMITS, errorResponses } from '../../schemas';

export interface CatalogDeps {
  /** The payment channels this server takes: the shop offers exactly these. */
  channels: readonly PaymentChannel[];
  /** Where the half-screen channel opens the cashier (with `half-screen` only). */
  cashierApp?: CashierAppInfo;
}

/** The cashier mini program's payment page (cashier/pages/pay/index in this repository). */
export const CASHIER_PAY_PAGE = 'pages/pay/index';

const catalog: FastifyPluginAsyncTypebox<CatalogDeps> = async (app, deps) => {
  app.get(
    '/api/catalog',
    { schema: { response: { 200: CatalogResponseSchema, ...errorResponses } } },
    async () => ({
      products: [...PRODUCTS],
      limits: { ...ORDER_LIMITS },
      channels: [...deps.channels],
      ...(deps.cashierApp ? { cashierApp: { ...deps.cashierApp } } : {}),
    }),
  );
};

export default catalog;
