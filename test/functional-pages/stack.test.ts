/**
 * The BUILT functional page against the real merchant server and the WeChat sandbox, with the
 * emulated WeChat client: what a user's phone does between the tap and the cashier.
 */
import { createPublicKey, verify } from 'node:crypto';
import { createFunctionalPageRunner, createWx, httpRequest } from '../../dev/emulator';
import type { EmulatedWx, FunctionalPageRunner } from '../../dev/emulator';
import { ensureBuilt } from '../../dev/dist';
import { startStack } from '../../dev/stack';
import type { Stack } from '../../dev/stack';
import type { CreatedOrder, RequestPaymentArgs } from '../../typings';

let stack: Stack;

beforeAll(async () => {
  ensureBuilt();
  stack = await startStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await httpRequest({
    method,
    url: `${stack.serverUrl}${path}`,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    timeoutMs: 10_000,
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as T };
}

async function sandbox<T>(path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await httpRequest({
    method: init.method ?? 'GET',
    url: `${stack.sandboxUrl}${path}`,
    headers: { 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    timeoutMs: 10_000,
  });
  return { status: res.statusCode, body: (res.body === '' ? null : JSON.parse(res.body)) as T };
}

let orderSeq = 0;
async function createOrder(): Promise<CreatedOrder> {
  orderSeq += 1;
  const res = await api<CreatedOrder>(
    'POST',
    '/api/orders',
    { items: [{ sku: 'MUG-ENAMEL', quantity: 2 }] },
    { 'idempotency-key': `fp-test-${Date.now()}-${orderSeq}` },
  );
  expect(res.status).toBe(201);
  return res.body;
}

/** The pay-button's paymentArgs for an order its creator made. */
const orderRef = (order: CreatedOrder) => ({
  orderNo: order.orderNo,
  orderToken: order.orderToken,
});

function phone(user: string): { wx: EmulatedWx; page: FunctionalPageRunner } {
  const wx = createWx({ sandboxUrl: stack.sandboxUrl, user });
  const page = createFunctionalPageRunner({ wx, config: { apiBaseUrl: stack.serverUrl } });
  return { wx, page };
}

interface SandboxOrder {
  outTradeNo: string;
  state: string;
  total: number;
  payerOpenid: string;
  prepays: Array<{ prepayId: string }>;
}

/** paySign is the merchant's RSA-SHA256 over appId, timeStamp, nonceStr, package. */
function verifyPaySign(args: RequestPaymentArgs): boolean {
  const c = stack.sandbox.credentials;
  const message = `${c.appId}\n${args.timeStamp}\n${args.nonceStr}\n${args.package}\n`;
  const publicKey = createPublicKey(c.merchantPrivateKeyPem);
  return verify('RSA-SHA256', Buffer.from(message), publicKey, Buffer.from(args.paySign, 'base64'));
}

test('first payment: wx.login + one request (sign in and pay), signed RSA arguments', async () => {
  const order = await createOrder();
  const { wx, page } = phone('fp-alice');
  const result = await page.beforeRequestPayment(orderRef(order));
  expect(result.err).toBeNull();
  expect(result.calls).toBe(1);
  const args = result.args as RequestPaymentArgs;
  expect(args.signType).toBe('RSA');
  expect(args.package).toMatch(/^prepay_id=\S+$/);
  expect(args.timeStamp).toMatch(/^\d+$/);
  expect(verifyPaySign(args)).toBe(true);
  // Two round trips from the tap: the login code, then pay-with-login.
  expect(wx.emulator.roundTrips).toMatchObject({ login: 1, session: 0, pay: 1 });
  expect(Object.keys(wx.emulator.roundTripsByUrl)).toEqual([
    'POST /sandbox/login-code',
    `POST /api/orders/${order.orderNo}/pay-with-login`,
  ]);

  const wechat = await sandbox<SandboxOrder>(`/sandbox/orders/${order.orderNo}`);
  expect(wechat.body.total).toBe(order.total);
  expect(wechat.body.payerOpenid).toBe(wx.emulator.openid);
  expect(`prepay_id=${wechat.body.prepays[0]?.prepayId}`).toBe(args.package);
});

test('the whole WeChat flow pays the order; the cached token makes it one round trip', async () => {
  const { wx, page } = phone('fp-bob');
  await page.beforeRequestPayment(orderRef(await createOrder()));
  const order = await createOrder();
  wx.emulator.resetRoundTrips();
  const outcome = await page.pay({ fee: order.total, paymentArgs: orderRef(order) });
  expect(outcome).toEqual({ event: 'success', detail: { errMsg: 'requestPayment:ok' } });
  expect(wx.emulator.roundTrips).toMatchObject({ login: 0, session: 0, pay: 1, cashier: 1 });
  const wechat = await sandbox<SandboxOrder>(`/sandbox/orders/${order.orderNo}`);
  expect(wechat.body.state).toBe('SUCCESS');
});

test('called twice for one purchase: the same prepay, one WeChat order', async () => {
  const order = await createOrder();
  const { page } = phone('fp-carol');
  const first = await page.beforeRequestPayment(orderRef(order));
  const second = await page.beforeRequestPayment(orderRef(order));
  expect(first.err).toBeNull();
  expect(second.err).toBeNull();
  expect(second.args?.package).toBe(first.args?.package);
  const wechat = await sandbox<SandboxOrder>(`/sandbox/orders/${order.orderNo}`);
  expect(wechat.body.prepays).toHaveLength(1);
  const all = await sandbox<{ orders: SandboxOrder[] }>('/sandbox/orders');
  expect(all.body.orders.filter((o) => o.outTradeNo === order.orderNo)).toHaveLength(1);
});

test('called twice at the same moment: still one WeChat order', async () => {
  const order = await createOrder();
  const { page } = phone('fp-dave');
  await page.beforeRequestPayment(orderRef(await createOrder()));
  const [a, b] = await Promise.all([
    page.beforeRequestPayment(orderRef(order)),
    page.beforeRequestPayment(orderRef(order)),
  ]);
  expect(a.err).toBeNull();
  expect(b.err).toBeNull();
  const wechat = await sandbox<SandboxOrder>(`/sandbox/orders/${order.orderNo}`);
  const prepays = wechat.body.prepays.map((p) => `prepay_id=${p.prepayId}`);
  expect(prepays).toContain(a.args?.package);
  expect(prepays).toContain(b.args?.package);
  const all = await sandbox<{ orders: SandboxOrder[] }>('/sandbox/orders');
  expect(all.body.orders.filter((o) => o.outTradeNo === order.orderNo)).toHaveLength(1);
});

test("another user's order is refused with the server's reason", async () => {
  const order = await createOrder();
  await phone('fp-erin').page.beforeRequestPayment(orderRef(order));
  const result = await phone('fp-mallory').page.beforeRequestPayment(orderRef(order));
  expect(result.calls).toBe(1);
  expect((result.err as Error & { code: string; status: number }).status).toBe(403);
  expect(result.err?.message).toMatch(/answered HTTP 403 FORBIDDEN/);
});

test('an order number without its token opens nothing before the order has a payer', async () => {
  const order = await createOrder();
  const result = await phone('fp-oscar').page.beforeRequestPayment({ orderNo: order.orderNo });
  expect(result.err?.message).toMatch(/answered HTTP 403 FORBIDDEN: .*order token/);
  // The creator, token in hand, still pays it.
  expect((await phone('fp-olga').page.beforeRequestPayment(orderRef(order))).err).toBeNull();
});

test('a malformed order token is refused on the phone and never echoed', async () => {
  const result = await phone('fp-pat').page.beforeRequestPayment({
    orderNo: 'WP20261203ABCDEFGHJKMN',
    orderToken: 'short-secret',
  });
  expect((result.err as Error & { code: string }).code).toBe('INVALID_PAYMENT_ARGS');
  expect(result.err?.message).not.toContain('short-secret');
});

test('an unknown order: 404 with the reason', async () => {
  const result = await phone('fp-frank').page.beforeRequestPayment({ orderNo: 'NOSUCHORDER0001' });
  expect(result.calls).toBe(1);
  expect(result.err?.message).toMatch(
    /^POST \/api\/orders\/NOSUCHORDER0001\/pay-with-login answered HTTP 404 NOT_FOUND/,
  );
});

test('code2Session failing at WeChat: LOGIN_FAILED, and no WeChat order', async () => {
  const order = await createOrder();
  await sandbox('/sandbox/faults', {
    method: 'PUT',
    body: [{ endpoint: 'code2session', kind: 'system_error' }],
  });
  try {
    const { wx, page } = phone('fp-grace');
    const result = await page.beforeRequestPayment(orderRef(order));
    expect(result.calls).toBe(1);
    expect((result.err as Error & { code: string }).code).toBe('LOGIN_FAILED');
    expect(result.err?.message).toMatch(
      /^login failed: POST \/api\/orders\/\w+\/pay-with-login answered HTTP 5\d\d LOGIN_FAILED/,
    );
    expect(wx.emulator.roundTrips.pay).toBe(1);
    expect((await sandbox(`/sandbox/orders/${order.orderNo}`)).status).toBe(404);
  } finally {
    await sandbox('/sandbox/faults', { method: 'DELETE' });
  }
});

test('an expired server session: one fresh login, then the payment goes through', async () => {
  const { wx, page } = phone('fp-heidi');
  await page.beforeRequestPayment(orderRef(await createOrder()));
  // The phone still believes its token (its clock did not move); the server's did.
  await stack.advance(stack.config.sessionTtlSeconds + 60);
  const order = await createOrder();
  wx.emulator.resetRoundTrips();
  const result = await page.beforeRequestPayment(orderRef(order));
  expect(result.err).toBeNull();
  expect(result.calls).toBe(1);
  expect(wx.emulator.roundTrips).toMatchObject({ login: 1, session: 0, pay: 2 });
});

test('an expired order is refused (409) and WeChat never sees it', async () => {
  const order = await createOrder();
  await stack.advance(stack.config.orderTtlSeconds + 60);
  const result = await phone('fp-ivan').page.beforeRequestPayment(orderRef(order));
  expect(result.calls).toBe(1);
  expect(result.err?.message).toMatch(/answered HTTP 409 ORDER_NOT_PAYABLE/);
  const wechat = await sandbox(`/sandbox/orders/${order.orderNo}`);
  expect(wechat.status).toBe(404);
});
