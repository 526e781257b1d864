/**
 * The owner app's payment functional page. WeChat calls `beforeRequestPayment` when a user taps
 * the plugin's pay button; we log the payer in (in the same request as the payment when no
 * session is cached), have our server place (or reuse) the WeChat Pay
 * order for `paymentArgs.orderNo` (opened by `paymentArgs.orderToken` until it has a payer), and
 * hand WeChat the signed `wx.requestPayment` arguments.
 *
 * Runs in the owner app with nothing from outside this folder at run time (WeChat refuses it).
 * One file on purpose: every module WeChat loads costs a fixed wrapper, and this page, the
 * session cache, the HTTP calls and the checks of what crosses the page only serve each other.
 */
import type { BeforeRequestPaymentCallback, RequestPaymentArgs, SessionResponse } from '../typings';
import { API_BASE_URL, REQUEST_TIMEOUT_MS } from './build-config';
import { once } from './once';

export type FunctionalPageErrorCode =
  | 'INVALID_PAYMENT_ARGS'
  | 'LOGIN_FAILED'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'HTTP'
  | 'UNAUTHORIZED'
  | 'MALFORMED_RESPONSE'
  | 'INTERNAL';

/**
 * Why a payment could not be prepared. `message` is what the plugin's developer and the logs
 * see; `code` lets the owner app branch without parsing text.
 */
export class FunctionalPageError extends Error {
  readonly code: FunctionalPageErrorCode;
  /** HTTP status when the server answered. */
  readonly status?: number;
  /** The server's `{ code }` when it sent one. */
  readonly serverCode?: string;

  constructor(
    code: FunctionalPageErrorCode,
    message: string,
    status?: number,
    serverCode?: string,
  ) {
    super(message);
    this.name = 'FunctionalPageError';
    this.code = code;
    // Only set when known, so a logged error shows no empty fields.
    if (status) this.status = status;
    if (serverCode) this.serverCode = serverCode;
  }
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** WeChat's out_trade_no alphabet and length, which our order numbers use. */
const ORDER_NO = /^[A-Za-z0-9_\-*|]{6,32}$/;
/** The capability token `POST /api/orders` gave the order's creator (32 bytes, base64url). */
const ORDER_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** What the host put in the pay-button's `paymentArgs`, checked. */
interface OrderRef {
  orderNo: string;
  /** Opens an order that has no payer yet; a bound order's payer pays without it. */
  orderToken?: string;
}

/**
 * What the server's answer must look like, field by field. The values go to WeChat exactly as
 * sent (they are signed); only their shape is checked, so a broken answer fails here with a
 * reason instead of inside the cashier. MD5 / HMAC-SHA256 are API v2 merchants' sign types.
 */
const PAYMENT_FIELDS: ReadonlyArray<[keyof RequestPaymentArgs, RegExp, string]> = [
  ['timeStamp', /^\d{1,12}$/, 'a string of seconds'],
  ['nonceStr', /^[^]{1,32}$/, '1–32 characters'],
  ['package', /^prepay_id=\S+$/, 'prepay_id=<id>'],
  ['signType', /^(RSA|MD5|HMAC-SHA256)$/, 'one of RSA, MD5, HMAC-SHA256'],
  ['paySign', /[^]/, 'a non-empty string'],
];

/**
 * Cached in the owner app's storage: `{ token, openid, baseUrl, expiresAt }`. `baseUrl` stops a
 * rebuilt app that points elsewhere from reusing the token; `expiresAt` is epoch ms.
 */
const SESSION_STORAGE_KEY = 'functional-pages:session';
/** Renew this long before the server's expiry, so a token never dies mid-payment. */
const EXPIRY_MARGIN_MS = 60_000;

function cachedToken(): string | undefined {
  try {
    const stored = wx.getStorageSync(SESSION_STORAGE_KEY) as Record<string, unknown> | '';
    // `now < expiresAt` is false for a missing or non-numeric expiry too.
    if (
      stored &&
      typeof stored.token === 'string' &&
      stored.token &&
      stored.baseUrl === API_BASE_URL &&
      Date.now() < (stored.expiresAt as number)
    ) {
      return stored.token;
    }
  } catch {
    // Unreadable storage: log in as if nothing was cached.
  }
  return undefined;
}

function forgetSession(): void {
  try {
    wx.removeStorageSync(SESSION_STORAGE_KEY);
  } catch {
    // Storage unavailable: nothing was cached either.
  }
}

/**
 * One wx call with success/fail callbacks as a Promise. WeChat enforces `REQUEST_TIMEOUT_MS`;
 * a watchdog one second later covers a client that never calls back at all. A timeout fails
 * with `TIMEOUT` for our server (`LOGIN_FAILED` for wx.login), anything else with `code`.
 */
function wxCall<T>(
  what: string,
  code: 'NETWORK' | 'LOGIN_FAILED',
  start: (
    ok: (value: T) => void,
    fail: (errMsg: string) => void,
  ) => WechatMiniprogram.RequestTask | void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let task: WechatMiniprogram.RequestTask | void;
    // A Promise settles once: whichever of callback, throw or watchdog comes first wins.
    const settle = (done: () => void) => {
      clearTimeout(watchdog);
      done();
    };
    const fail = (errMsg: string) =>
      settle(() =>
        reject(
          /timeout/i.test(errMsg)
            ? new FunctionalPageError(
                code === 'NETWORK' ? 'TIMEOUT' : code,
                `${what} timed out after ${REQUEST_TIMEOUT_MS} ms`,
              )
            : new FunctionalPageError(code, `${what} failed: ${errMsg}`),
        ),
      );
    const watchdog = setTimeout(() => {
      fail('timeout');
      try {
        if (task) task.abort();
      } catch {
        // Already finished or not abortable: nothing left to release.
      }
    }, REQUEST_TIMEOUT_MS + 1000);
    try {
      task = start((value) => settle(() => resolve(value)), fail);
    } catch (err) {
      fail(messageOf(err));
    }
  });
}

/**
 * `POST` to our server; resolves with the body of a 2xx answer, else fails with the server's
 * `{ code, message }`. A call without a token carries a wx.login code: its login refusals are
 * `LOGIN_FAILED`; a 401 on a token is `UNAUTHORIZED`.
 */
async function post(
  path: string,
  body: object,
  token?: string,
  orderToken?: string,
): Promise<unknown> {
  const what = `POST ${path}`;
  const header: Record<string, string> = {};
  if (token) header.Authorization = `Bearer ${token}`;
  if (orderToken) header['X-Order-Token'] = orderToken;
  const res = await wxCall<WechatMiniprogram.RequestSuccessCallbackResult>(
    what,
    'NETWORK',
    (ok, fail) =>
      wx.request({
        url: API_BASE_URL + path,
        method: 'POST',
        header,
        data: body,
        dataType: 'json',
        timeout: REQUEST_TIMEOUT_MS,
        success: ok,
        fail: (err) => fail(err.errMsg),
      }),
  );
  const status = res.statusCode;
  if (status >= 200 && status < 300) return res.data;
  const answer: Record<string, unknown> = isPlainObject(res.data) ? res.data : {};
  const { code, message } = answer;
  const serverCode = typeof code === 'string' ? code : undefined;
  const reason = [serverCode, typeof message === 'string' ? message : '']
    .filter(Boolean)
    .join(': ');
  // Without a token the request carried a wx.login code: its refusal is a failed login.
  const login = !token && serverCode === 'LOGIN_FAILED';
  throw new FunctionalPageError(
    login ? 'LOGIN_FAILED' : status === 401 ? 'UNAUTHORIZED' : 'HTTP',
    `${login ? 'login failed: ' : ''}${what} answered HTTP ${status}${reason && ` ${reason}`}`,
    status,
    serverCode,
  );
}

/** A fresh `wx.login` code (single use, five minutes). */
function loginCode(): Promise<string> {
  return wxCall<string>('wx.login', 'LOGIN_FAILED', (ok, fail) =>
    wx.login({
      timeout: REQUEST_TIMEOUT_MS,
      success: (res) => (res.code ? ok(res.code) : fail('no code returned')),
      fail: (err) => fail(err.errMsg),
    }),
  );
}

/** Checks the server's session and caches it for the next payment. */
function keepSession(value: unknown, what: string): void {
  const session = value as Partial<SessionResponse> | null;
  if (
    !isPlainObject(session) ||
    typeof session.token !== 'string' ||
    !session.token ||
    typeof session.openid !== 'string' ||
    !session.openid ||
    !((session.expiresIn as number) > 0)
  ) {
    throw new FunctionalPageError(
      'MALFORMED_RESPONSE',
      `${what} answered without a usable session { token, openid, expiresIn }`,
    );
  }
  const { token, openid } = session;
  const expiresAt = Date.now() + (session.expiresIn as number) * 1000 - EXPIRY_MARGIN_MS;
  try {
    // A token about to expire is used once and not cached.
    if (expiresAt > Date.now()) {
      wx.setStorageSync(SESSION_STORAGE_KEY, { token, openid, baseUrl: API_BASE_URL, expiresAt });
    }
  } catch {
    // A full or unavailable storage only costs a login next time.
  }
}

/**
 * No session yet: `wx.login`, then one request that exchanges the code and pays
 * (`POST …/pay-with-login`): two round trips from the tap. The session comes back with the
 * payment and is kept for the next one.
 */
async function payWithLogin(order: OrderRef, path: string): Promise<unknown> {
  const code = await loginCode();
  const answer = await post(`${path}-with-login`, { code }, undefined, order.orderToken);
  if (!isPlainObject(answer)) {
    throw new FunctionalPageError(
      'MALFORMED_RESPONSE',
      `POST ${path}-with-login answered a malformed payment: not a JSON object`,
    );
  }
  keepSession(answer.session, `POST ${path}-with-login`);
  return answer.payment;
}

/**
 * The cached token → `POST /api/orders/:orderNo/pay` (one round trip); none cached → wx.login
 * and pay-with-login (two). On 401 the token expired or the server forgot it: forgotten, and the
 * payment goes through pay-with-login once; that answer stands.
 */
async function prepare(order: OrderRef): Promise<RequestPaymentArgs> {
  const path = `/api/orders/${encodeURIComponent(order.orderNo)}/pay`;
  const token = cachedToken();
  let data: unknown;
  let answered = path;
  if (token) {
    try {
      data = await post(path, {}, token, order.orderToken);
    } catch (err) {
      if (!(err instanceof FunctionalPageError && err.code === 'UNAUTHORIZED')) throw err;
      forgetSession();
    }
  }
  if (data === undefined) {
    answered = `${path}-with-login`;
    data = await payWithLogin(order, path);
  }
  const bad = (reason: string) =>
    new FunctionalPageError(
      'MALFORMED_RESPONSE',
      `POST ${answered} answered a malformed payment: ${reason}`,
    );
  if (!isPlainObject(data)) throw bad('not a JSON object');
  const args: Record<string, unknown> = {};
  for (const [field, shape, expected] of PAYMENT_FIELDS) {
    const value = data[field];
    if (typeof value !== 'string' || !shape.test(value)) throw bad(`${field} must be ${expected}`);
    args[field] = value;
  }
  if (data.extraData !== undefined) {
    if (!isPlainObject(data.extraData)) throw bad('extraData must be an object');
    args.extraData = data.extraData;
  }
  return args as unknown as RequestPaymentArgs;
}

/** `paymentArgs` as `{ orderNo, orderToken? }`, or why not. */
function orderRefOf(paymentArgs: unknown): OrderRef {
  const args = isPlainObject(paymentArgs) ? paymentArgs : {};
  const { orderNo, orderToken } = args;
  if (typeof orderNo !== 'string' || !ORDER_NO.test(orderNo)) {
    throw new FunctionalPageError(
      'INVALID_PAYMENT_ARGS',
      `paymentArgs must be { orderNo, orderToken } with an orderNo of 6–32 characters of A-Z a-z 0-9 _ - * |, got ${JSON.stringify(
        // Never echo the token, even in a broken paymentArgs.
        'orderToken' in args ? { ...args, orderToken: '(hidden)' } : paymentArgs,
      )}`,
    );
  }
  if (orderToken === undefined) return { orderNo };
  if (typeof orderToken !== 'string' || !ORDER_TOKEN.test(orderToken)) {
    // The token is a secret: say what is wrong with it without echoing it.
    throw new FunctionalPageError(
      'INVALID_PAYMENT_ARGS',
      'paymentArgs.orderToken must be the 43-character token POST /api/orders answered',
    );
  }
  return { orderNo, orderToken };
}

/**
 * WeChat's entry point. Exactly one callback, always: `once` drops a second answer and
 * contains a throwing callback; any unexpected throw becomes an `INTERNAL` error. A bad
 * `paymentArgs` is answered at once, before anything goes on the network.
 */
export function beforeRequestPayment(
  paymentArgs: unknown,
  callback: BeforeRequestPaymentCallback,
): void {
  const answer = once(callback, 'beforeRequestPayment');
  const fail = (err: unknown) =>
    answer(
      err instanceof FunctionalPageError
        ? err
        : new FunctionalPageError(
            'INTERNAL',
            `payment preparation failed unexpectedly: ${messageOf(err)}`,
          ),
    );
  try {
    prepare(orderRefOf(paymentArgs)).then((args) => answer(null, args), fail);
  } catch (err) {
    fail(err);
  }
}
