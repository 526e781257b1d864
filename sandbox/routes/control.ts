import { Type } from 'typebox';
import type { App, SandboxContext } from '../context';
import { FAULT_ENDPOINTS, FAULT_KINDS } from '../faults';
import { ControlError } from '../http/errors';
import { rfc3339Beijing } from '../ids';
import type { Fault } from '../types';
import { notificationControlView, orderControlView } from '../views';

const lit = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));

const FaultSchema = Type.Object(
  {
    endpoint: lit(FAULT_ENDPOINTS),
    kind: lit(FAULT_KINDS),
    rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    latencyMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
    times: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

const FaultList = Type.Array(FaultSchema, { maxItems: 100 });

export function clockView(ctx: SandboxContext): Record<string, unknown> {
  const now = ctx.clock.now();
  return {
    now: rfc3339Beijing(now),
    epochMs: now,
    offsetSeconds: ctx.clock.offsetSeconds(),
    timeScale: ctx.timeScale,
  };
}

export function controlRoutes(app: App, ctx: SandboxContext): void {
  // Liveness for process managers and the cold-start benchmark; real WeChat has no such path.
  app.get(
    '/healthz',
    { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get('/sandbox/clock', async () => clockView(ctx));

  app.post(
    '/sandbox/clock',
    {
      schema: {
        body: Type.Object(
          { advanceSeconds: Type.Number({ minimum: 0, maximum: 10 * 365 * 86400 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      ctx.clock.advance(req.body.advanceSeconds);
      return clockView(ctx);
    },
  );

  app.get('/sandbox/faults', async () => ({ faults: ctx.faults.list() }));

  app.put(
    '/sandbox/faults',
    {
      schema: {
        body: Type.Union([
          FaultList,
          Type.Object({ faults: FaultList }, { additionalProperties: false }),
        ]),
      },
    },
    async (req) => {
      const list = (Array.isArray(req.body) ? req.body : req.body.faults) as Fault[];
      const problem = ctx.faults.set(list);
      if (problem !== undefined) throw new ControlError(400, 'INVALID_FAULT', problem);
      return { faults: ctx.faults.list() };
    },
  );

  app.delete('/sandbox/faults', async () => {
    ctx.faults.clear();
    return { faults: [] };
  });

  app.get('/sandbox/settings', async () => ({ serialMode: ctx.settings.serialMode }));

  app.put(
    '/sandbox/settings',
    {
      schema: {
        body: Type.Object(
          { serialMode: lit(['certificate', 'publicKey'] as const) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      ctx.settings.serialMode = req.body.serialMode;
      return { serialMode: ctx.settings.serialMode };
    },
  );

  app.get('/sandbox/orders', async () => ({
    orders: [...ctx.store.orders.values()].map((o) => orderControlView(ctx, o)),
  }));

  app.get(
    '/sandbox/orders/:outTradeNo',
    {
      schema: { params: Type.Object({ outTradeNo: Type.String({ minLength: 1, maxLength: 64 }) }) },
    },
    async (req) => {
      const order = ctx.store.orders.get(req.params.outTradeNo);
      if (order === undefined) {
        throw new ControlError(404, 'ORDER_NOT_EXIST', `no order ${req.params.outTradeNo}`);
      }
      return orderControlView(ctx, order);
    },
  );

  app.get('/sandbox/notifications', async () => ({
    notifications: ctx.store.notifications.map(notificationControlView),
  }));
}
