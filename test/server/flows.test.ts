/**
 * The real server against the real sandbox over HTTP: login, create, pay, cashier, notify,
 * query, close, refund, and the error paths in between.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack } from '../../dev/stack';
import type { Stack } from '../../dev/stack';
import type { ApiError, CreatedOrder, Order, RefundResponse } from '../../typings/api';
import {
  call,
  cashier,
  clearFaults,
  createOrder,
  faults,
  forgeNotification,
  paidOrder,
  placedOrder,
  loginCode,
  orderHeaders,
  pay,
  session,
  storedStatus,
  waitFor,
} from './http';
import type { ForgeOptions } from './http';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ serverConfig: { jobsEnabled: false, orderQueryIntervalMs: 0 } });
});
afterAll(() => stack.close());
afterEach(() => clearFaults(stack));

const url = (p: string): string => `${stack.serverUrl}${p}`;

function expectApiError(
  r: { status: number; body: unknown },
  status: number,
  code: ApiError['code'],
): void {
  expect({ status: r.status, code: (r.body as ApiError).code }).toEqual({ status, code });
  expect(typeof (r.body as ApiError).message).toBe('string');
}

async function sandboxOrder(orderNo: string): Promise<{ state?: string; [k: string]: unknown }> {
  return (await call<{ state?: string }>(`${stack.sandboxUrl}/sandbox/orders/${orderNo}`)).body;
}

describe('session', () => {
  it('exchanges a wx.login code for an opaque token; session_key never leaves', async () => {
    const { code, openid } = await loginCode(stack, 'alice');
    const r = await call<Record<string, unknown>>(url('/api/session'), { body: { code } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['expiresIn', 'openid', 'token']);
    expect(r.body.openid).toBe(openid);
    expect(r.body.expiresIn).toBe(7200);
    expect(String(r.body.token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await stack.server.storage.db.selectFrom('sessions').selectAll().execute();
    expect(stored.some((s) => s.token_hash === r.body.token)).toBe(false);
    // A code is single-use.
    expectApiError(await call(url('/api/session'), { body: { code } }), 400, 'LOGIN_FAILED');
  });

  it('400 LOGIN_FAILED for an unknown code; 502 when WeChat fails', async () => {
    expectApiError(
      await call(url('/api/session'), { body: { code: 'not-a-real-code' } }),
      400,
      'LOGIN_FAILED',
    );
    await faults(stack, [{ endpoint: 'code2session', kind: 'system_error' }]);
    const { code } = await loginCode(stack, 'bob');
    expectApiError(await call(url('/api/session'), { body: { code } }), 502, 'LOGIN_FAILED');
  });

  it('expired tokens are refused', async () => {
    const s = await session(stack, 'short-lived');
    const o = await createOrder(stack);
    await stack.advance(7201);
    expectApiError(
      await call(url(`/api/orders/${o.orderNo}`), { token: s.token }),
      401,
      'UNAUTHORIZED',
    );
  });
});

describe('create → pay → cashier success → notify → paid', () => {
  it('runs the happy path', async () => {
    const s = await session(stack, 'carol');
    const first = await call<CreatedOrder>(url('/api/orders'), {
      body: { items: [{ sku: 'TEA-LJ-250', quantity: 1 }] },
      headers: { 'idempotency-key': 'flow-happy-0001' },
    });
    const again = await call<CreatedOrder>(url('/api/orders'), {
      body: { items: [{ sku: 'TEA-LJ-250', quantity: 1 }] },
      headers: { 'idempotency-key': 'flow-happy-0001' },
    });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.orderNo).toBe(first.body.orderNo);
    // The replay proves it holds the key, so it gets the same token back.
    expect(again.body.orderToken).toBe(first.body.orderToken);
    const orderNo = first.body.orderNo;

    const p = await pay(stack, first.body, s.token);
    expect(p.status).toBe(200);
    expect(Object.keys(p.body).sort()).toEqual([
      'nonceStr',
      'package',
      'paySign',
      'signType',
      'timeStamp',
    ]);
    expect(p.body.signType).toBe('RSA');
    expect(p.body.timeStamp).toMatch(/^\d{10}$/);
    expect(p.body.package).toMatch(/^prepay_id=\S+$/);
    expect(p.body.nonceStr.length).toBeLessThanOrEqual(32);

    expect(await cashier(stack, s.openid, p.body, 'success')).toBe('requestPayment:ok');
    // The notification (not a query) settles it: the stored row flips without any GET.
    await waitFor(async () => (await storedStatus(stack, orderNo)) === 'paid');
    const order = await call<Order>(url(`/api/orders/${orderNo}`), { token: s.token });
    expect(order.status).toBe(200);
    expect(order.body.status).toBe('paid');
    expect(order.body.transactionId).toEqual(expect.any(String));
    expect(order.body.paidAt).toEqual(expect.any(String));
    const notes = await call<{ notifications: Array<{ outTradeNo?: string; state: string }> }>(
      `${stack.sandboxUrl}/sandbox/notifications`,
    );
    expect(notes.body.notifications.find((n) => n.outTradeNo === orderNo)?.state).toMatch(
      /deliver|ack|success/i,
    );

    expectApiError(await pay(stack, orderNo, s.token), 409, 'ORDER_NOT_PAYABLE');
  });

  it('reuses the prepay for repeated and concurrent pay calls (one WeChat order)', async () => {
    const s = await session(stack, 'dave');
    const o = await createOrder(stack);
    const results = await Promise.all(Array.from({ length: 5 }, () => pay(stack, o, s.token)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.package)).size).toBe(1);
    const later = await pay(stack, o, s.token);
    expect(later.body.package).toBe(results[0]?.body.package);
    const sb = await sandboxOrder(o.orderNo);
    expect(sb.state ?? sb.tradeState).toBe('NOTPAY');
  });

  it('places a new prepay (same parameters) once the old one is older than PREPAY_REUSE_SECONDS', async () => {
    const long = await startStack({
      serverConfig: { jobsEnabled: false, orderTtlSeconds: 4 * 3600, sessionTtlSeconds: 86400 },
    });
    try {
      const { code } = await loginCode(long, 'erin');
      const s = (
        await call<{ token: string; openid: string }>(`${long.serverUrl}/api/session`, {
          body: { code },
        })
      ).body;
      const o = await createOrder(long);
      const first = await pay(long, o, s.token);
      await long.advance(3600);
      expect((await pay(long, o, s.token)).body.package).toBe(first.body.package);
      await long.advance(3001); // 6601 s: past the 6600 s reuse limit, so WeChat is asked again
      expect((await pay(long, o, s.token)).status).toBe(200);
      await long.advance(700); // the first prepay is now past WeChat's 2 h
      const renewed = await pay(long, o, s.token);
      expect(renewed.status).toBe(200);
      expect(renewed.body.package).not.toBe(first.body.package);
      expect(await cashier(long, s.openid, first.body, 'success')).toMatch(/^requestPayment:fail/);
      expect(await cashier(long, s.openid, renewed.body, 'success')).toBe('requestPayment:ok');
      await waitFor(async () => (await storedStatus(long, o.orderNo)) === 'paid');
    } finally {
      await long.close();
    }
  });
});

describe('binding and visibility', () => {
  it('binds the first payer; another user gets 403 on pay and on view', async () => {
    const a = await session(stack, 'user-a');
    const b = await session(stack, 'user-b');
    const o = await createOrder(stack);
    // Before binding, the order's token opens it; the number alone does not.
    expect(
      (await call<Order>(url(`/api/orders/${o.orderNo}`), { headers: orderHeaders(o) })).status,
    ).toBe(200);
    expectApiError(
      await call(url(`/api/orders/${o.orderNo}`), { token: b.token }),
      403,
      'FORBIDDEN',
    );
    expect((await pay(stack, o, a.token)).status).toBe(200);
    expectApiError(await pay(stack, o, b.token), 403, 'FORBIDDEN');
    expectApiError(
      await call(url(`/api/orders/${o.orderNo}`), { token: b.token }),
      403,
      'FORBIDDEN',
    );
    expect((await call<Order>(url(`/api/orders/${o.orderNo}`), { token: a.token })).status).toBe(
      200,
    );
  });

  it('two users racing to pay one unbound order: exactly one wins', async () => {
    const a = await session(stack, 'race-a');
    const b = await session(stack, 'race-b');
    const o = await createOrder(stack);
    const [ra, rb] = await Promise.all([pay(stack, o, a.token), pay(stack, o, b.token)]);
    expect([ra.status, rb.status].sort()).toEqual([200, 403]);
  });

  it('404 for an unknown order', async () => {
    const a = await session(stack, 'user-c');
    expectApiError(await pay(stack, 'WP20990101NOSUCHORDER', a.token), 404, 'NOT_FOUND');
    expectApiError(
      await call(url('/api/orders/WP20990101NOSUCHORDER'), { token: a.token }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('cancel, expiry and the jobs', () => {
  it('cancel → still pending → closed on expiry through the close API', async () => {
    const { s, o, p } = await placedOrder(stack, 'frank');
    expect(await cashier(stack, s.openid, p.body, 'cancel')).toBe('requestPayment:fail cancel');
    expect(
      (await call<Order>(url(`/api/orders/${o.orderNo}`), { token: s.token })).body.status,
    ).toBe('pending');
    await stack.advance(901);
    expectApiError(await pay(stack, o, s.token), 409, 'ORDER_NOT_PAYABLE');
    await stack.server.jobs.runOnce();
    expect(await storedStatus(stack, o.orderNo)).toBe('closed');
    expect(
      (await sandboxOrder(o.orderNo)).state ?? (await sandboxOrder(o.orderNo)).tradeState,
    ).toBe('CLOSED');
    expect(
      (await call<Order>(url(`/api/orders/${o.orderNo}`), { token: s.token })).body.status,
    ).toBe('closed');
  });

  it('an expired order never sent to WeChat closes locally', async () => {
    const o = await createOrder(stack);
    await stack.advance(901);
    await stack.server.jobs.runOnce();
    expect(await storedStatus(stack, o.orderNo)).toBe('closed');
  });

  it('a lost notification is settled by the query job', async () => {
    const { s, o, p } = await placedOrder(stack, 'grace');
    await faults(stack, [{ endpoint: 'notify', kind: 'drop' }]);
    expect(await cashier(stack, s.openid, p.body, 'success')).toBe('requestPayment:ok');
    await new Promise((r) => setTimeout(r, 100));
    expect(await storedStatus(stack, o.orderNo)).toBe('pending');
    await stack.advance(3); // past QUERY_DELAY_SECONDS
    await stack.server.jobs.runOnce();
    expect(await storedStatus(stack, o.orderNo)).toBe('paid');
  });

  it('GET queries WeChat first when pending (the result page sees the truth)', async () => {
    const { s, o, p } = await placedOrder(stack, 'heidi');
    await faults(stack, [{ endpoint: 'notify', kind: 'drop' }]);
    await cashier(stack, s.openid, p.body, 'success');
    const r = await call<Order>(url(`/api/orders/${o.orderNo}`), { token: s.token });
    expect(r.body.status).toBe('paid');
  });

  it('a payment that raced the close wins', async () => {
    const { s, o, p } = await placedOrder(stack, 'ivan');
    await faults(stack, [{ endpoint: 'notify', kind: 'drop' }]);
    await cashier(stack, s.openid, p.body, 'success');
    await stack.advance(901);
    await stack.server.jobs.runOnce();
    expect(await storedStatus(stack, o.orderNo)).toBe('paid');
  });
});

describe('WeChat Pay failures', () => {
  /** A fresh order paid by `user` while `fault` is armed at the sandbox's JSAPI endpoint. */
  const payUnder = async (user: string, fault: Record<string, unknown>) => {
    const s = await session(stack, user);
    const o = await createOrder(stack);
    await faults(stack, [{ endpoint: 'jsapi', ...fault }]);
    return { s, o, res: await pay(stack, o, s.token) };
  };

  it('retries a 5xx with identical parameters and succeeds', async () => {
    const { res } = await payUnder('judy', { kind: 'system_error', times: 1 });
    expect(res.status).toBe(200);
  });

  it('502 UPSTREAM_ERROR when the response signature is bad, and nothing stored', async () => {
    const { s, o, res } = await payUnder('mallory', { kind: 'bad_signature' });
    expectApiError(res, 502, 'UPSTREAM_ERROR');
    const row = await stack.server.storage.db
      .selectFrom('orders')
      .select('prepay_id')
      .where('order_no', '=', o.orderNo)
      .executeTakeFirst();
    expect(row?.prepay_id).toBeNull();
    await clearFaults(stack);
    expect((await pay(stack, o, s.token)).status).toBe(200);
  });

  it('502 UPSTREAM_ERROR after bounded retries on persistent 5xx', async () => {
    const { res } = await payUnder('niaj', { kind: 'rate_limited' });
    expectApiError(res, 502, 'UPSTREAM_ERROR');
  });
});

/** Delivers a (forged) notification to the server as WeChat would. */
const postNotification = (n: { headers: Record<string, string>; raw: string }) =>
  call<{ code: string; message: string }>(url('/api/pay/notify'), {
    method: 'POST',
    raw: n.raw,
    headers: n.headers,
  });

describe('notifications', () => {
  const post = postNotification;

  const forge = (opts: ForgeOptions) => forgeNotification(stack, opts);

  async function payableOrder(user: string): Promise<Order> {
    return (await placedOrder(stack, user)).o;
  }

  const txn = (o: Order, extra: Record<string, unknown> = {}) => ({
    appid: stack.config.appId,
    mchid: stack.config.mchId,
    out_trade_no: o.orderNo,
    transaction_id: '4200000000000000000000000001',
    trade_state: 'SUCCESS',
    success_time: new Date().toISOString(),
    amount: { total: o.total, payer_total: o.total, currency: 'CNY' },
    payer: { openid: 'x' },
    ...extra,
  });

  it('applies a genuine notification once; a replay answers 204 and changes nothing', async () => {
    const o = await payableOrder('olivia');
    const n = forge({ resource: txn(o), id: 'evt-replay-1' });
    expect((await post(n)).status).toBe(204);
    expect(await storedStatus(stack, o.orderNo)).toBe('paid');
    const before = await stack.server.storage.db
      .selectFrom('orders')
      .selectAll()
      .where('order_no', '=', o.orderNo)
      .executeTakeFirstOrThrow();
    expect((await post(n)).status).toBe(204);
    const after = await stack.server.storage.db
      .selectFrom('orders')
      .selectAll()
      .where('order_no', '=', o.orderNo)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });

  it.each([
    [
      'a forged signature (wrong key)',
      (o: Order) =>
        forge({
          resource: txn(o),
          key: createPrivateKey(
            readFileSync(join(__dirname, 'fixtures', 'platform-pubkey-key.pem')),
          ),
        }),
      401,
    ],
    [
      'a SIGNTEST probe',
      (o: Order) => forge({ resource: txn(o), signature: 'WECHATPAY/SIGNTEST/abcdef' }),
      401,
    ],
    [
      'a stale timestamp',
      (o: Order) => forge({ resource: txn(o), timestamp: Math.floor(Date.now() / 1000) - 600 }),
      401,
    ],
    [
      'an unknown serial',
      (o: Order) => forge({ resource: txn(o), serial: 'PUB_KEY_ID_0000000000000000000000000000' }),
      401,
    ],
    ['a wrong APIv3 key', (o: Order) => forge({ resource: txn(o), apiV3Key: 'x'.repeat(32) }), 400],
    [
      'another amount',
      (o: Order) =>
        forge({ resource: txn(o, { amount: { total: o.total - 1, currency: 'CNY' } }) }),
      400,
    ],
    [
      'another appid',
      (o: Order) => forge({ resource: txn(o, { appid: 'wx0000000000000000' }) }),
      400,
    ],
    ['another mchid', (o: Order) => forge({ resource: txn(o, { mchid: '1999999999' }) }), 400],
    [
      'an unknown order',
      (o: Order) => forge({ resource: txn(o, { out_trade_no: 'WP20990101UNKNOWN0001' }) }),
      404,
    ],
  ])('rejects %s with FAIL and leaves the order pending', async (_name, make, status) => {
    const o = await payableOrder(`notify-${status}-${Math.random()}`);
    const r = await post(make(o));
    expect(r.status).toBe(status);
    expect(r.body.code).toBe('FAIL');
    expect(typeof r.body.message).toBe('string');
    expect(await storedStatus(stack, o.orderNo)).toBe('pending');
  });

  it('rejects a tampered body (one byte) even with the original signature', async () => {
    const o = await payableOrder('trent');
    const n = forge({ resource: txn(o) });
    const r = await post({
      headers: n.headers,
      raw: n.raw.replace('"event_type"', ' "event_type"'),
    });
    expect(r.status).toBe(401);
  });

  it('works with the certificate-mode serial too, and survives duplicate deliveries', async () => {
    await call(`${stack.sandboxUrl}/sandbox/settings`, {
      method: 'PUT',
      body: { serialMode: 'certificate' },
    });
    try {
      const { s, o, p } = await placedOrder(stack, 'victor');
      await faults(stack, [{ endpoint: 'notify', kind: 'duplicate' }]);
      await cashier(stack, s.openid, p.body, 'success');
      await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'paid');
    } finally {
      await call(`${stack.sandboxUrl}/sandbox/settings`, {
        method: 'PUT',
        body: { serialMode: 'publicKey' },
      });
    }
  });

  it('a probe from the sandbox is refused, and the retry settles the order', async () => {
    const { s, o, p } = await placedOrder(stack, 'walter');
    await faults(stack, [{ endpoint: 'notify', kind: 'probe_signature', times: 1 }]);
    await cashier(stack, s.openid, p.body, 'success');
    await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'paid', 10_000);
  });
});

describe('refunds', () => {
  it('refunds a paid order in full through the API and the refund notification', async () => {
    const { s, o } = await paidOrder(stack, 'peggy');
    const admin = { authorization: `Bearer ${stack.adminToken}` };
    const tooMuch = await call(url(`/api/orders/${o.orderNo}/refund`), {
      body: { amount: o.total + 1 },
      headers: admin,
    });
    expectApiError(tooMuch, 400, 'VALIDATION_ERROR');
    const part = await call<RefundResponse>(url(`/api/orders/${o.orderNo}/refund`), {
      body: { amount: 100, reason: 'damaged' },
      headers: admin,
    });
    expect(part.status).toBe(200);
    expect(part.body).toMatchObject({ orderNo: o.orderNo, amount: 100 });
    const rest = await call<RefundResponse>(url(`/api/orders/${o.orderNo}/refund`), {
      body: {},
      headers: admin,
    });
    expect(rest.body.amount).toBe(o.total - 100);
    await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'refunded', 10_000);
    const view = await call<Order>(url(`/api/orders/${o.orderNo}`), { token: s.token });
    expect(view.body).toMatchObject({ status: 'refunded', refunded: o.total });
    expectApiError(
      await call(url(`/api/orders/${o.orderNo}/refund`), { body: {}, headers: admin }),
      400,
      'VALIDATION_ERROR',
    );
  });
});

describe('refund notifications that do not match the refund', () => {
  it('are refused with 400 when the amount is missing or differs, and change nothing', async () => {
    const { o } = await paidOrder(stack, 'quentin');
    // Keep WeChat's genuine REFUND.SUCCESS away, so only the forged notices reach the server.
    await faults(stack, [{ endpoint: 'notify', kind: 'drop' }]);
    const r = await call<RefundResponse>(url(`/api/orders/${o.orderNo}/refund`), {
      body: { amount: 100 },
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    expect(r.status).toBe(200);
    const notice = (amount?: Record<string, unknown>) =>
      forgeNotification(stack, {
        eventType: 'REFUND.SUCCESS',
        resource: {
          mchid: stack.config.mchId,
          out_trade_no: o.orderNo,
          out_refund_no: r.body.outRefundNo,
          refund_id: '50000000000000000000000000001',
          refund_status: 'SUCCESS',
          ...(amount ? { amount } : {}),
        },
      });
    const refundRow = () =>
      stack.server.storage.db
        .selectFrom('refunds')
        .selectAll()
        .where('out_refund_no', '=', r.body.outRefundNo)
        .executeTakeFirstOrThrow();
    const before = await refundRow();
    for (const n of [notice(), notice({ refund: 99, total: o.total })]) {
      const answer = await postNotification(n);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        code: 'FAIL',
        message: 'refund amount is missing or does not match',
      });
    }
    expect((await refundRow()).status).toBe(before.status);
    await clearFaults(stack);
  });
});

describe('refund without its notification', () => {
  it('the refund job asks WeChat and settles it', async () => {
    const { o } = await paidOrder(stack, 'rupert');
    await faults(stack, [{ endpoint: 'notify', kind: 'drop' }]);
    const r = await call<RefundResponse>(url(`/api/orders/${o.orderNo}/refund`), {
      body: {},
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    expect(r.body.status).toBe('processing');
    await new Promise((res) => setTimeout(res, 200));
    expect(await storedStatus(stack, o.orderNo)).toBe('paid');
    await stack.advance(3);
    await stack.server.jobs.runOnce();
    expect(await storedStatus(stack, o.orderNo)).toBe('refunded');
  });
});

describe('real HTTP edge cases', () => {
  it('413 for an oversized body and 400 for wrong types, over the wire', async () => {
    const big = await call(url('/api/orders'), {
      raw: JSON.stringify({ items: [], pad: 'x'.repeat(40_000) }),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expectApiError(big, 413, 'PAYLOAD_TOO_LARGE');
    expectApiError(
      await call(url('/api/orders'), { body: { items: [{ sku: 'MUG-ENAMEL', quantity: -1 }] } }),
      400,
      'VALIDATION_ERROR',
    );
    expectApiError(
      await call(url('/api/orders'), {
        body: { items: [{ sku: 'MUG-ENAMEL', quantity: 2 ** 53 }] },
      }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('healthz answers over HTTP', async () => {
    const r = await call(url('/healthz'));
    expect(r).toMatchObject({ status: 200, body: { status: 'ok', database: 'ok' } });
  });
});
