/**
 * Reliability, concurrency: double taps and races. Parallel pays of one order place one WeChat
 * order; parallel creates with one key make one order; racing refunds never refund more than
 * was paid; a payment racing expiry ends the way WeChat says. On SQLite and PostgreSQL.
 */
import type { Stack } from '../../dev/stack';
import type { CreatedOrder, RefundResponse } from '../../typings/api';
import {
  call,
  cashier,
  createOrder,
  faults,
  paidOrder,
  pay,
  session,
  storedStatus,
  waitFor,
} from '../server/http';
import { databases, useStack } from './suite';
import { useTally } from './tally';

interface SandboxOrder {
  state: string;
  prepays: unknown[];
  refunds: Array<{ status: string; amount: { refund: number } }>;
}

const sandboxOrder = async (stack: Stack, orderNo: string) =>
  (await call<SandboxOrder>(`${stack.sandboxUrl}/sandbox/orders/${orderNo}`)).body;

jest.setTimeout(20_000);

describe.each(databases('concurrency cases'))('concurrency on %s', (db) => {
  const env = useStack(db, { serverConfig: { queryDelaySeconds: 0 } });
  const tally = useTally('concurrency', db);

  it('12 parallel pays of one order: one WeChat order, one prepay for all', async () => {
    await tally.check('parallel pays', async () => {
      const { stack } = env;
      const s = await session(stack, `cc-pays-${db}`);
      const o = await createOrder(stack);
      const answers = await Promise.all(Array.from({ length: 12 }, () => pay(stack, o, s.token)));
      expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
      expect(new Set(answers.map((a) => a.body.package)).size).toBe(1);
      expect((await sandboxOrder(stack, o.orderNo)).prepays).toHaveLength(1);
    });
  });

  it('12 parallel creates with one key and body: one order', async () => {
    await tally.check('creates with one key', async () => {
      const { stack } = env;
      const key = `cc-key-${db}-${Date.now()}`;
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          call<CreatedOrder>(`${stack.serverUrl}/api/orders`, {
            body: { items: [{ sku: 'TEA-LJ-250', quantity: 2 }] },
            headers: { 'idempotency-key': key },
          }),
        ),
      );
      expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(11);
      expect(new Set(answers.map((a) => a.body.orderNo)).size).toBe(1);
      expect(new Set(answers.map((a) => a.body.orderToken)).size).toBe(1);
    });
  });

  it('four payers racing for one order: exactly one binds it', async () => {
    await tally.check('payers racing', async () => {
      const { stack } = env;
      const o = await createOrder(stack);
      const payers = await Promise.all(
        [0, 1, 2, 3].map((i) => session(stack, `cc-race-${db}-${i}`)),
      );
      const answers = await Promise.all(payers.map((p) => pay(stack, o, p.token)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 403, 403, 403]);
      expect((await sandboxOrder(stack, o.orderNo)).prepays).toHaveLength(1);
    });
  });

  it('6 full refunds racing: one refunds, the rest are refused; WeChat refunds it once', async () => {
    await tally.check('refunds racing', async () => {
      const { stack } = env;
      const { o } = await paidOrder(stack, `cc-refund-${db}`);
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          call<RefundResponse>(`${stack.serverUrl}/api/orders/${o.orderNo}/refund`, {
            body: {},
            token: stack.adminToken,
          }),
        ),
      );
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      for (const refused of answers.filter((a) => a.status !== 200)) {
        expect([400, 409]).toContain(refused.status);
      }
      const wechat = await sandboxOrder(stack, o.orderNo);
      expect(wechat.refunds).toHaveLength(1);
      expect(wechat.refunds[0]?.amount.refund).toBe(o.total);
    });
  });

  it('6 partial refunds racing for more than is left: never more than the total', async () => {
    await tally.check('partial refunds racing', async () => {
      const { stack } = env;
      const { o } = await paidOrder(stack, `cc-partial-${db}`);
      const part = Math.floor(o.total / 3) + 1; // three would be more than the total
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          call<RefundResponse>(`${stack.serverUrl}/api/orders/${o.orderNo}/refund`, {
            body: { amount: part },
            token: stack.adminToken,
          }),
        ),
      );
      expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
      const wechat = await sandboxOrder(stack, o.orderNo);
      const refunded = wechat.refunds.reduce((sum, r) => sum + r.amount.refund, 0);
      expect(refunded).toBe(2 * part);
      expect(refunded).toBeLessThanOrEqual(o.total);
    });
  });

  it('a payment racing expiry ends as WeChat says: paid if it paid, closed if it closed', async () => {
    await tally.check('payment racing expiry', async () => {
      const { stack } = env;
      const s = await session(stack, `cc-expiry-${db}`);
      const o = await createOrder(stack);
      const p = await pay(stack, o, s.token);
      // The notification is lost: the close job and the cashier race on WeChat's side alone.
      await faults(stack, [{ endpoint: 'notify', kind: 'drop' }]);
      await stack.advance(stack.config.orderTtlSeconds - 1);
      const [paidAtCashier] = await Promise.all([
        cashier(stack, s.openid, p.body, 'success'),
        (async () => {
          await stack.advance(2);
          await stack.server.jobs.runOnce();
        })(),
      ]);
      await stack.advance(2);
      await stack.server.jobs.runOnce();
      const wechat = await sandboxOrder(stack, o.orderNo);
      const expected = wechat.state === 'SUCCESS' ? 'paid' : 'closed';
      expect(['SUCCESS', 'CLOSED']).toContain(wechat.state);
      expect(paidAtCashier === 'requestPayment:ok').toBe(wechat.state === 'SUCCESS');
      await waitFor(async () => (await storedStatus(stack, o.orderNo)) === expected);
    });
  });
});
