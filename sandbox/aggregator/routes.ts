/**
 * The aggregator's side of the jump-out channel:
 * POST /sandbox/aggregator/cashier  what its cashier mini program does when opened with extraData;
 * GET  /sandbox/aggregator/orders   and /orders/:out_trade_no, its records (calls, payment,
 *                                   notifications with every attempt).
 */
import { Type } from 'typebox';
import type { App } from '../context';
import { ControlError } from '../http/errors';
import { openCashier, type AggregatorDeps } from './cashier';
import { callView, notificationView, orderView } from './views';

const CashierBody = Type.Object(
  {
    appId: Type.String({ minLength: 1, maxLength: 64 }),
    openid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    extraData: Type.Object({}, { additionalProperties: true, maxProperties: 64 }),
    outcome: Type.Union([Type.Literal('success'), Type.Literal('cancel'), Type.Literal('fail')]),
  },
  { additionalProperties: false },
);

export function aggregatorRoutes(app: App, deps: AggregatorDeps): void {
  app.post('/sandbox/aggregator/cashier', { schema: { body: CashierBody } }, async (req) => {
    const { openid, ...rest } = req.body;
    return openCashier(deps, {
      ...rest,
      extraData: req.body.extraData as Record<string, unknown>,
      ...(openid === undefined ? {} : { openid }),
    });
  });

  app.get('/sandbox/aggregator/orders', async () => ({
    orders: [...deps.state.orders.values()].map(orderView),
    calls: deps.state.calls.map(callView),
    notifications: deps.state.notifications.map(notificationView),
  }));

  app.get(
    '/sandbox/aggregator/orders/:out_trade_no',
    {
      schema: {
        params: Type.Object({ out_trade_no: Type.String({ minLength: 1, maxLength: 64 }) }),
      },
    },
    async (req) => {
      const order = deps.state.orders.get(req.params.out_trade_no);
      if (order === undefined) {
        throw new ControlError(
          404,
          'ORDER_NOT_EXIST',
          `the aggregator has no order ${req.params.out_trade_no}`,
        );
      }
      return orderView(order);
    },
  );
}
