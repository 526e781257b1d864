/**
 * Reliability, cashier AppID on API v2: an order placed (unifiedorder) under the cashier mini
 * program's AppID is named by that AppID in every later call. The sandbox refuses an
 * orderquery, closeorder, refund or refundquery under another appid, so each case here passes
 * only if the server sent the order's own: its notification lost, it settles through
 * orderquery; expired, the close job closes it (closeorder, past the 5-minute rule); refunded
 * over mutual TLS with the refund notification lost, refundquery learns the success. An owner-app
 * order does the same under the owner AppID. On SQLite and PostgreSQL.
 */
import type { RefundResponse } from '../../typings/api';
import type { RequestPaymentArgs } from '../../typings/payment';
import type { Stack } from '../../dev/stack';
import {
  call,
  clearFaults,
  createOrder,
  faults,
  pay,
  placedOrder,
  cashier,
  session,
  storedStatus,
  waitFor,
} from '../server/http';
import { databases, useStack } from './suite';

/** The sandbox cashier, paying from the mini program `appId`. */
const payIn = (stack: Stack, appId: string, openid: string, args: RequestPaymentArgs) =>
  cashier(stack, openid, args, 'success', appId);

const wechatState = async (stack: Stack, orderNo: string) =>
  (await call<{ state: string }>(`${stack.sandboxUrl}/sandbox/orders/${orderNo}`)).body.state;

const refundStatus = async (stack: Stack, outRefundNo: string) =>
  (
    await stack.server.storage.db
      .selectFrom('refunds')
      .select('status')
      .where('out_refund_no', '=', outRefundNo)
      .executeTakeFirstOrThrow()
  ).status;

/** Runs the jobs (query, close, refund) on a moving clock until `done`. */
async function jobsUntil(stack: Stack, done: () => Promise<boolean>): Promise<void> {
  await waitFor(async () => {
    await stack.advance(5);
    await stack.server.jobs.runOnce();
    return done();
  });
}

describe.each(databases('cashier AppID API v2 query / close / refund cases'))(
  'cashier AppID on API v2, after the prepay, on %s',
  (db) => {
    const env = useStack(db, {
      scheme: 'v2',
      serverConfig: { jobsEnabled: false, orderTtlSeconds: 60, queryDelaySeconds: 5 },
    });
    const cashierApp = () => env.stack.sandbox.credentials.cashierApp.appId;
    afterEach(async () => {
      await clearFaults(env.stack);
    });

    /** An order paid in the cashier mini program under its AppID, its notification lost. */
    async function paidInCashierSilently(user: string) {
      const { stack } = env;
      const s = await session(stack, user, cashierApp());
      const o = await createOrder(stack);
      const p = await pay(stack, o, s.token);
      expect(p.status).toBe(200);
      await faults(stack, [{ endpoint: 'notify', kind: 'drop' }]);
      expect(await payIn(stack, cashierApp(), s.openid, p.body)).toBe('requestPayment:ok');
      expect(await wechatState(stack, o.orderNo)).toBe('SUCCESS');
      return o;
    }

    it('its notification lost, it settles through orderquery under the cashier AppID', async () => {
      const { stack } = env;
      const o = await paidInCashierSilently(`ca-v2-query-${db}`);
      expect(await storedStatus(stack, o.orderNo)).toBe('pending');
      await jobsUntil(stack, async () => (await storedStatus(stack, o.orderNo)) === 'paid');
      const row = await stack.server.storage.orders.find(o.orderNo);
      expect(row?.pay_appid).toBe(cashierApp());
      expect(row?.transaction_id).toEqual(expect.any(String));
    });

    it('a refund over mutual TLS, its notification lost, succeeds through refundquery', async () => {
      const { stack } = env;
      const o = await paidInCashierSilently(`ca-v2-refund-${db}`);
      await jobsUntil(stack, async () => (await storedStatus(stack, o.orderNo)) === 'paid');
      // The refund notification is lost too: only refundquery can tell the server.
      const r = await call<RefundResponse>(`${stack.serverUrl}/api/orders/${o.orderNo}/refund`, {
        body: { amount: 1 },
        token: stack.adminToken,
      });
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('processing');
      await jobsUntil(
        stack,
        async () => (await refundStatus(stack, r.body.outRefundNo)) !== 'processing',
      );
      expect(await refundStatus(stack, r.body.outRefundNo)).toBe('success');
      expect((await stack.server.storage.orders.find(o.orderNo))?.refunded).toBe(1);
    });

    it('an owner-app order still queries and refunds under the owner AppID', async () => {
      const { stack } = env;
      const { s, o, p } = await placedOrder(stack, `ca-v2-owner-${db}`);
      expect((await stack.server.storage.orders.find(o.orderNo))?.pay_appid).toBe(
        stack.config.appId,
      );
      await faults(stack, [{ endpoint: 'notify', kind: 'drop' }]);
      expect(await cashier(stack, s.openid, p.body, 'success')).toBe('requestPayment:ok');
      await jobsUntil(stack, async () => (await storedStatus(stack, o.orderNo)) === 'paid');
      const r = await call<RefundResponse>(`${stack.serverUrl}/api/orders/${o.orderNo}/refund`, {
        body: { amount: 1 },
        token: stack.adminToken,
      });
      expect(r.status).toBe(200);
      await jobsUntil(
        stack,
        async () => (await refundStatus(stack, r.body.outRefundNo)) !== 'processing',
      );
      expect(await refundStatus(stack, r.body.outRefundNo)).toBe('success');
    });

    it('expired, it is closed by the close job with closeorder under the cashier AppID', async () => {
      const { stack } = env;
      const s = await session(stack, `ca-v2-close-${db}`, cashierApp());
      const o = await createOrder(stack);
      expect((await pay(stack, o, s.token)).status).toBe(200);
      await stack.advance(61); // expired, but placed only 61 s ago: WeChat may not close it yet
      await stack.server.jobs.runOnce();
      expect(await storedStatus(stack, o.orderNo)).toBe('pending');
      expect(await wechatState(stack, o.orderNo)).toBe('NOTPAY');
      await stack.advance(240); // 5 minutes and 1 s after placing
      await stack.server.jobs.runOnce();
      expect(await storedStatus(stack, o.orderNo)).toBe('closed');
      expect(await wechatState(stack, o.orderNo)).toBe('CLOSED');
    });
  },
);
