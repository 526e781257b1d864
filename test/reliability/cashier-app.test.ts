/**
 * Reliability, second AppID: payers who sign in to the merchant's cashier mini program (opened
 * half-screen) pay under its AppID. The order is placed and signed for that AppID and settles
 * from the notification; a session of the other app cannot pay an order bound under one app (409);
 * unknown AppIDs are 400 and partner mode refuses the cashier's (403), each changing nothing.
 * On SQLite and PostgreSQL.
 */
import type { ApiError, CreatedOrder, SessionResponse } from '../../typings/api';
import type { RequestPaymentArgs } from '../../typings/payment';
import type { Stack } from '../../dev/stack';
import {
  call,
  cashier,
  createOrder,
  forgeNotification,
  loginCode,
  orderHeaders,
  pay,
  session,
  storedStatus,
  waitFor,
} from '../server/http';
import { databases, tableCounts, useStack } from './suite';

/** The sandbox cashier, paying from the mini program `appId`. */
const cashierIn = (stack: Stack, appId: string, openid: string, args: RequestPaymentArgs) =>
  cashier(stack, openid, args, 'success', appId);

async function orderRow(stack: Stack, orderNo: string) {
  return stack.server.storage.db
    .selectFrom('orders')
    .selectAll()
    .where('order_no', '=', orderNo)
    .executeTakeFirstOrThrow();
}

const refusal = (code: ApiError['code']) => ({ code, message: expect.any(String) });

describe.each(databases('cashier AppID cases'))('cashier AppID on %s', (db) => {
  const env = useStack(db);
  const cashierApp = () => env.stack.sandbox.credentials.cashierApp.appId;
  const ownerApp = () => env.stack.config.appId;

  it('signs in under the cashier AppID, pays there and settles from the notification', async () => {
    const { stack } = env;
    const s = await session(stack, `ca-pay-${db}`, cashierApp());
    const o = await createOrder(stack);
    const p = await pay(stack, o, s.token);
    expect(p.status).toBe(200);
    const row = await orderRow(stack, o.orderNo);
    expect(row.pay_appid).toBe(cashierApp());
    expect(row.openid).toBe(s.openid);
    // The sandbox placed it for the cashier AppID: paying from the owner app is refused, and the
    // paySign verifies over the cashier's AppID.
    expect(await cashierIn(stack, ownerApp(), s.openid, p.body)).not.toBe('requestPayment:ok');
    expect(await cashierIn(stack, cashierApp(), s.openid, p.body)).toBe('requestPayment:ok');
    await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'paid');
    const paid = await orderRow(stack, o.orderNo);
    // The catalogue's price, in integer fen, is what was paid.
    expect(paid.total).toBe(o.total);
    expect(paid.transaction_id).toEqual(expect.any(String));
  });

  it('pay-with-login takes the cashier AppID too', async () => {
    const { stack } = env;
    const { code } = await loginCode(stack, `ca-pwl-${db}`, cashierApp());
    const o = await createOrder(stack);
    const r = await call<{ session: SessionResponse; payment: RequestPaymentArgs }>(
      `${stack.serverUrl}/api/orders/${o.orderNo}/pay-with-login`,
      { body: { code, appId: cashierApp() }, headers: orderHeaders(o) },
    );
    expect(r.status).toBe(200);
    expect((await orderRow(stack, o.orderNo)).pay_appid).toBe(cashierApp());
    expect(await cashierIn(stack, cashierApp(), r.body.session.openid, r.body.payment)).toBe(
      'requestPayment:ok',
    );
    await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'paid');
  });

  const crossCases: Array<[string, 'owner' | 'cashier', 'owner' | 'cashier']> = [
    ['an owner-app session cannot pay an order bound under the cashier AppID', 'cashier', 'owner'],
    ['a cashier session cannot pay an order bound under the owner AppID', 'owner', 'cashier'],
  ];
  it.each(crossCases)(
    '%s (409 CHANNEL_CONFLICT, nothing changed)',
    async (_name, boundUnder, payingFrom) => {
      const { stack } = env;
      const app = (which: 'owner' | 'cashier') => (which === 'owner' ? ownerApp() : cashierApp());
      // The same person in both apps: WeChat gives them a different openid in each.
      const user = `ca-cross-${boundUnder}-${db}`;
      const first = await session(stack, user, app(boundUnder));
      const o = await createOrder(stack);
      expect((await pay(stack, o, first.token)).status).toBe(200);
      const other = await session(stack, user, app(payingFrom));
      const before = await tableCounts(stack);
      const rowBefore = await orderRow(stack, o.orderNo);
      const r = await pay(stack, o, other.token);
      expect(r.status).toBe(409);
      expect(r.body).toEqual(refusal('CHANNEL_CONFLICT'));
      expect(await tableCounts(stack)).toEqual(before);
      expect(await orderRow(stack, o.orderNo)).toEqual(rowBefore);
    },
  );

  it('an unknown appId is 400 on sign-in and pay-with-login, changing nothing', async () => {
    const { stack } = env;
    const { code } = await loginCode(stack, `ca-unknown-${db}`, cashierApp());
    const o: CreatedOrder = await createOrder(stack);
    const before = await tableCounts(stack);
    const rowBefore = await orderRow(stack, o.orderNo);
    for (const appId of ['wx0000000000000000', stack.sandbox.otherApp.appId]) {
      const s = await call(`${stack.serverUrl}/api/session`, { body: { code, appId } });
      expect(s.status).toBe(400);
      expect(s.body).toEqual(refusal('VALIDATION_ERROR'));
      const p = await call(`${stack.serverUrl}/api/orders/${o.orderNo}/pay-with-login`, {
        body: { code, appId },
        headers: orderHeaders(o),
      });
      expect(p.status).toBe(400);
      expect(p.body).toEqual(refusal('VALIDATION_ERROR'));
    }
    expect(await tableCounts(stack)).toEqual(before);
    expect(await orderRow(stack, o.orderNo)).toEqual(rowBefore);
    // The code was never spent: it still signs in under its own app.
    const ok = await call(`${stack.serverUrl}/api/session`, {
      body: { code, appId: cashierApp() },
    });
    expect(ok.status).toBe(200);
  });

  it('a notification under the other AppID does not settle an order (fast path checks pay_appid)', async () => {
    const { stack } = env;
    const s = await session(stack, `ca-notify-${db}`);
    const o = await createOrder(stack);
    expect((await pay(stack, o, s.token)).status).toBe(200);
    const before = await tableCounts(stack);
    // Correctly signed, right merchant and amount, but paid under the cashier AppID: not this
    // order's payment (it is bound under the owner's).
    const n = forgeNotification(stack, {
      resource: {
        appid: cashierApp(),
        mchid: stack.config.mchId,
        out_trade_no: o.orderNo,
        transaction_id: '4200000000000000000000000001',
        trade_state: 'SUCCESS',
        success_time: new Date().toISOString(),
        payer: { openid: s.openid },
        amount: { total: o.total, payer_total: o.total, currency: 'CNY' },
      },
    });
    const r = await call(`${stack.serverUrl}/api/pay/notify`, { raw: n.raw, headers: n.headers });
    expect(r.status).toBe(400);
    expect(await storedStatus(stack, o.orderNo)).toBe('pending');
    expect(await tableCounts(stack)).toEqual(before);
  });

  it('an owner-app session without appId still works as before', async () => {
    const { stack } = env;
    const s = await session(stack, `ca-default-${db}`);
    const o = await createOrder(stack);
    expect((await pay(stack, o, s.token)).status).toBe(200);
    expect((await orderRow(stack, o.orderNo)).pay_appid).toBe(ownerApp());
  });
});

describe.each(databases('cashier AppID partner-mode cases'))(
  'cashier AppID in partner mode on %s',
  (db) => {
    const env = useStack(db, { scheme: 'v3-partner' });

    it('refuses to pay under the cashier AppID (403), changing nothing', async () => {
      const { stack } = env;
      const cashierApp = stack.sandbox.credentials.cashierApp.appId;
      const s = await session(stack, `ca-partner-${db}`, cashierApp);
      const o = await createOrder(stack);
      const before = await tableCounts(stack);
      const rowBefore = await orderRow(stack, o.orderNo);
      const r = await pay(stack, o, s.token);
      expect(r.status).toBe(403);
      expect(r.body).toEqual(refusal('FORBIDDEN'));
      const { code } = await loginCode(stack, `ca-partner-${db}`, cashierApp);
      const p = await call(`${stack.serverUrl}/api/orders/${o.orderNo}/pay-with-login`, {
        body: { code, appId: cashierApp },
        headers: orderHeaders(o),
      });
      expect(p.status).toBe(403);
      expect(p.body).toEqual(refusal('FORBIDDEN'));
      expect(await tableCounts(stack)).toEqual(before);
      expect(await orderRow(stack, o.orderNo)).toEqual(rowBefore);
      // The owner app still pays in partner mode.
      const owner = await session(stack, `ca-partner-owner-${db}`);
      expect((await pay(stack, o, owner.token)).status).toBe(200);
    });
  },
);

describe.each(databases('cashier AppID API v2 cases'))('cashier AppID on API v2 on %s', (db) => {
  const env = useStack(db, { scheme: 'v2' });

  it('places the unified order for the cashier AppID and settles from the notification', async () => {
    const { stack } = env;
    const cashierApp = stack.sandbox.credentials.cashierApp.appId;
    const s = await session(stack, `ca-v2-${db}`, cashierApp);
    const o = await createOrder(stack);
    const p = await pay(stack, o, s.token);
    expect(p.status).toBe(200);
    expect((await orderRow(stack, o.orderNo)).pay_appid).toBe(cashierApp);
    // The v2 paySign is over the cashier's AppID: from the owner app it does not verify.
    expect(await cashierIn(stack, stack.config.appId, s.openid, p.body)).not.toBe(
      'requestPayment:ok',
    );
    expect(await cashierIn(stack, cashierApp, s.openid, p.body)).toBe('requestPayment:ok');
    await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'paid');
  });
});
