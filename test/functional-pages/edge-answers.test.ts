/**
 * beforeRequestPayment (the BUILT functional page) against answers the real server never
 * gives on purpose: refused connections, slow, malformed and error bodies, expired tokens.
 * Every case: exactly one callback, with a readable reason.
 */
import { createFunctionalPageRunner, createWx, loadFunctionalPage } from '../../dev/emulator';
import type { BeforeRequestPaymentResult, EmulatedWx } from '../../dev/emulator';
import { ensureBuilt } from '../../dev/dist';
import { closedPortUrl, PAY_ARGS, startEdge } from './edge';
import type { Edge } from './edge';

const ORDER = { orderNo: 'ORDER20260001' };
const SESSION_KEY = 'functional-pages:session';

let edge: Edge;
let wx: EmulatedWx;

beforeAll(() => ensureBuilt());

beforeEach(async () => {
  edge = await startEdge();
  wx = createWx({ sandboxUrl: edge.url, user: 'alice' });
});

afterEach(async () => {
  await edge.close();
});

function runner(options: { apiBaseUrl?: string; requestTimeoutMs?: number } = {}) {
  return createFunctionalPageRunner({
    wx,
    config: {
      apiBaseUrl: options.apiBaseUrl ?? edge.url,
      requestTimeoutMs: options.requestTimeoutMs ?? 2000,
    },
  });
}

function errorOf(result: BeforeRequestPaymentResult) {
  expect(result.calls).toBe(1);
  expect(result.args).toBeUndefined();
  expect(result.err).toBeInstanceOf(Error);
  return result.err as Error & { code?: string; status?: number; serverCode?: string };
}

describe('paymentArgs are checked before anything goes on the network', () => {
  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'ORDER20260001'],
    ['an array', ['ORDER20260001']],
    ['no orderNo', {}],
    ['a numeric orderNo', { orderNo: 20260001 }],
    ['a short orderNo', { orderNo: 'AB12' }],
    ['a 33-char orderNo', { orderNo: 'A'.repeat(33) }],
    ['a space', { orderNo: 'ORDER 2026' }],
    ['a path', { orderNo: '../../admin' }],
  ])('%s', async (_name, paymentArgs) => {
    const err = errorOf(await runner().beforeRequestPayment(paymentArgs));
    expect(err.code).toBe('INVALID_PAYMENT_ARGS');
    expect(err.message).toMatch(/paymentArgs/);
    expect(edge.requests).toEqual([]);
    expect(wx.emulator.roundTrips).toMatchObject({ login: 0, session: 0, pay: 0 });
  });
});

test('happy path: wx.login, then one request that signs in and pays; the fields go through untouched', async () => {
  edge.pay = () => ({ body: { ...PAY_ARGS, extraData: { orderNo: 'ORDER20260001' } } });
  const result = await runner().beforeRequestPayment(ORDER);
  expect(result.err).toBeNull();
  expect(result.calls).toBe(1);
  expect(result.args).toEqual({ ...PAY_ARGS, extraData: { orderNo: 'ORDER20260001' } });
  expect(edge.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    'POST /sandbox/login-code',
    'POST /api/orders/ORDER20260001/pay-with-login',
  ]);
  expect(JSON.parse(edge.requests[1]?.body ?? '')).toEqual({ code: 'code-1' });
  expect(edge.requests[1]?.authorization).toBeUndefined();
  // The session it brought back is the next payment's.
  await runner().beforeRequestPayment(ORDER);
  expect(edge.requests.at(-1)?.authorization).toBe('Bearer token-1');
});

test('the cached token makes the next payment one round trip', async () => {
  const page = runner();
  await page.beforeRequestPayment(ORDER);
  wx.emulator.resetRoundTrips();
  const again = await page.beforeRequestPayment({ orderNo: 'ORDER20260002' });
  expect(again.err).toBeNull();
  expect(wx.emulator.roundTrips).toMatchObject({ login: 0, session: 0, pay: 1 });
  expect(edge.requests.at(-1)?.authorization).toBe('Bearer token-1');
});

test('a token close to expiry is not cached; one for another API base is not reused', async () => {
  edge.session = (_req, n) => ({ body: { token: `token-${n}`, openid: 'o-alice', expiresIn: 30 } });
  await runner().beforeRequestPayment(ORDER);
  await runner().beforeRequestPayment(ORDER);
  expect(edge.count(/\/pay-with-login$/)).toBe(2);

  edge.session = (_req, n) => ({
    body: { token: `token-${n}`, openid: 'o-alice', expiresIn: 7200 },
  });
  await runner().beforeRequestPayment(ORDER);
  const stored = wx.getStorageSync(SESSION_KEY) as { baseUrl: string; expiresAt: number };
  expect(stored.baseUrl).toBe(edge.url);
  wx.setStorageSync(SESSION_KEY, { ...stored, baseUrl: 'http://127.0.0.1:1' });
  await runner().beforeRequestPayment(ORDER);
  expect(edge.count(/\/pay-with-login$/)).toBe(4);
});

test('an expired cached token is not sent', async () => {
  await runner().beforeRequestPayment(ORDER);
  const stored = wx.getStorageSync(SESSION_KEY) as { expiresAt: number };
  wx.setStorageSync(SESSION_KEY, { ...stored, expiresAt: Date.now() - 1 });
  await runner().beforeRequestPayment(ORDER);
  expect(edge.count(/\/pay-with-login$/)).toBe(2);
  // Signed in again instead: the expired token never went out.
  expect(edge.requests.filter((r) => r.authorization !== undefined)).toEqual([]);
});

test('wx.login fails (WeChat unreachable): LOGIN_FAILED, nothing sent to the server', async () => {
  wx = createWx({ sandboxUrl: await closedPortUrl(), user: 'alice' });
  const err = errorOf(await runner().beforeRequestPayment(ORDER));
  expect(err.code).toBe('LOGIN_FAILED');
  expect(err.message).toMatch(/^wx\.login failed: login:fail/);
  expect(edge.requests).toEqual([]);
});

test("the server refuses the login code: LOGIN_FAILED with the server's code and message", async () => {
  edge.session = () => ({
    status: 400,
    body: { code: 'LOGIN_FAILED', message: 'code2Session refused the code (40029)' },
  });
  const err = errorOf(await runner().beforeRequestPayment(ORDER));
  expect(err.code).toBe('LOGIN_FAILED');
  expect(err.status).toBe(400);
  expect(err.message).toBe(
    'login failed: POST /api/orders/ORDER20260001/pay-with-login answered HTTP 400 LOGIN_FAILED: code2Session refused the code (40029)',
  );
  expect(edge.count(/\/pay$/)).toBe(0);
});

test.each([
  ['no token', { openid: 'o-alice', expiresIn: 7200 }],
  ['no expiry', { token: 't', openid: 'o-alice' }],
  ['text', 'welcome'],
])('a malformed session answer (%s) fails clearly', async (_name, body) => {
  edge.session = () => (typeof body === 'string' ? { raw: body } : { body });
  const err = errorOf(await runner().beforeRequestPayment(ORDER));
  expect(err.code).toBe('MALFORMED_RESPONSE');
  expect(err.message).toMatch(
    /POST \/api\/orders\/ORDER20260001\/pay-with-login answered (without a usable session|a malformed payment: not a JSON object)/,
  );
  expect(wx.getStorageSync(SESSION_KEY)).toBe('');
});

test('the server is unreachable: NETWORK', async () => {
  const err = errorOf(
    await runner({ apiBaseUrl: await closedPortUrl() }).beforeRequestPayment(ORDER),
  );
  expect(err.code).toBe('NETWORK');
  expect(err.message).toMatch(
    /^POST \/api\/orders\/ORDER20260001\/pay-with-login failed: request:fail/,
  );
});

test('a slow server: TIMEOUT after the configured time, and the late answer changes nothing', async () => {
  edge.pay = () => ({ body: PAY_ARGS, delayMs: 1600 });
  const started = Date.now();
  const result = await runner({ requestTimeoutMs: 1000 }).beforeRequestPayment(ORDER);
  const err = errorOf(result);
  expect(err.code).toBe('TIMEOUT');
  expect(err.message).toBe('POST /api/orders/ORDER20260001/pay-with-login timed out after 1000 ms');
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  await new Promise((resolve) => setTimeout(resolve, 800));
  expect(result.calls).toBe(1);
});

test.each([
  [
    409,
    { code: 'ORDER_NOT_PAYABLE', message: 'order ORDER20260001 is paid' },
    'HTTP 409 ORDER_NOT_PAYABLE: order ORDER20260001 is paid',
  ],
  [
    403,
    { code: 'FORBIDDEN', message: 'order belongs to another payer' },
    'HTTP 403 FORBIDDEN: order belongs to another payer',
  ],
  [404, { code: 'NOT_FOUND', message: 'unknown order' }, 'HTTP 404 NOT_FOUND: unknown order'],
  [
    502,
    { code: 'UPSTREAM_ERROR', message: 'WeChat Pay failed' },
    'HTTP 502 UPSTREAM_ERROR: WeChat Pay failed',
  ],
  [503, '<html>Service Unavailable</html>', 'HTTP 503'],
])('pay answers %d: the reason reaches the callback', async (status, body, reason) => {
  edge.pay = () => (typeof body === 'string' ? { status, raw: body } : { status, body });
  const err = errorOf(await runner().beforeRequestPayment(ORDER));
  expect(err.code).toBe('HTTP');
  expect(err.status).toBe(status);
  expect(err.message).toBe(`POST /api/orders/ORDER20260001/pay-with-login answered ${reason}`);
  if (typeof body !== 'string') expect(err.serverCode).toBe(body.code);
});

test.each([
  ['not JSON', { raw: 'prepay_id=wx1' }, /not a JSON object/],
  ['an array', { body: [PAY_ARGS] }, /not a JSON object/],
  ['numeric timeStamp', { body: { ...PAY_ARGS, timeStamp: 1767225600 } }, /timeStamp/],
  ['empty nonceStr', { body: { ...PAY_ARGS, nonceStr: '' } }, /nonceStr/],
  ['long nonceStr', { body: { ...PAY_ARGS, nonceStr: 'x'.repeat(33) } }, /nonceStr/],
  ['bare prepay id', { body: { ...PAY_ARGS, package: 'wx2026' } }, /package must be prepay_id=/],
  ['unknown signType', { body: { ...PAY_ARGS, signType: 'SHA1' } }, /signType/],
  ['no paySign', { body: { ...PAY_ARGS, paySign: undefined } }, /paySign/],
  ['string extraData', { body: { ...PAY_ARGS, extraData: 'x' } }, /extraData/],
])('a malformed payment answer (%s) is refused', async (_name, reply, reason) => {
  edge.pay = () => reply;
  const err = errorOf(await runner().beforeRequestPayment(ORDER));
  expect(err.code).toBe('MALFORMED_RESPONSE');
  expect(err.message).toMatch(
    /^POST \/api\/orders\/ORDER20260001\/pay(-with-login)? answered a malformed payment: /,
  );
  expect(err.message).toMatch(reason);
});

test('MD5 / HMAC-SHA256 (API v2 merchants) pass through as sent', async () => {
  edge.pay = () => ({ body: { ...PAY_ARGS, signType: 'HMAC-SHA256', paySign: 'ABCDEF0123' } });
  const result = await runner().beforeRequestPayment(ORDER);
  expect(result.args).toEqual({ ...PAY_ARGS, signType: 'HMAC-SHA256', paySign: 'ABCDEF0123' });
});

describe('401 on pay: one fresh login, then the answer stands', () => {
  test('a stale cached token is replaced and the payment goes through', async () => {
    const page = runner();
    await page.beforeRequestPayment(ORDER);
    edge.pay = (req) =>
      req.authorization === 'Bearer token-1'
        ? { status: 401, body: { code: 'UNAUTHORIZED', message: 'token expired' } }
        : { body: PAY_ARGS };
    wx.emulator.resetRoundTrips();
    const result = await page.beforeRequestPayment(ORDER);
    expect(result.err).toBeNull();
    expect(result.calls).toBe(1);
    expect(wx.emulator.roundTrips).toMatchObject({ login: 1, session: 0, pay: 2 });
    expect((wx.getStorageSync(SESSION_KEY) as { token: string }).token).toBe('token-2');
  });

  test('still 401 after the fresh login: UNAUTHORIZED, cache cleared, no third try', async () => {
    const page = runner();
    await page.beforeRequestPayment(ORDER);
    edge.pay = () => ({ status: 401, body: { code: 'UNAUTHORIZED', message: 'token expired' } });
    wx.emulator.resetRoundTrips();
    const err = errorOf(await page.beforeRequestPayment(ORDER));
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toBe(
      'POST /api/orders/ORDER20260001/pay-with-login answered HTTP 401 UNAUTHORIZED: token expired',
    );
    expect(wx.emulator.roundTrips).toMatchObject({ login: 1, session: 0, pay: 2 });
    expect(wx.getStorageSync(SESSION_KEY)).toBe('');
  });
});

describe('a callback that throws is still answered exactly once', () => {
  function callDirect(paymentArgs: unknown) {
    const exports = loadFunctionalPage(wx, { config: { apiBaseUrl: edge.url } });
    const beforeRequestPayment = exports.beforeRequestPayment as (
      args: unknown,
      cb: (err: Error | null, args?: unknown) => void,
    ) => void;
    let calls = 0;
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const settled = new Promise<void>((resolve) => {
      beforeRequestPayment(paymentArgs, () => {
        calls += 1;
        setTimeout(resolve, 50);
        throw new Error('WeChat-side bug');
      });
    });
    return settled.then(() => {
      errors.mockRestore();
      return calls;
    });
  }

  test('on the synchronous path (bad paymentArgs)', async () => {
    expect(await callDirect({})).toBe(1);
  });

  test('on the asynchronous path (success)', async () => {
    expect(await callDirect(ORDER)).toBe(1);
  });
});
