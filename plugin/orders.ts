/**
 * The plugin's order API, for host mini programs (`requirePlugin('pay')`): create an order for
 * items and read its status, over the plugin's own request domain, so a host never holds the
 * owner's server URL or any secret. WeChat signs these requests (X-WECHAT-HOSTSIGN), which is
 * how the owner's server learns which host placed the order. Prices come from the server's
 * catalogue; what the host gets back is the server's order, checked before it is handed on.
 */
import type {
  ApiErrorCode,
  CashierAppInfo,
  CreateOrderItem,
  CreatedOrder,
  Order,
  OrderStatus,
} from '../typings';
import { API_BASE_URL, REQUEST_TIMEOUT_MS } from './build-config';

export type PluginOrderErrorCode =
  ApiErrorCode | 'INVALID_ARGUMENT' | 'NETWORK' | 'TIMEOUT' | 'MALFORMED_RESPONSE';

/** Why an order call failed: `code` to branch on, `status` when the server answered. */
export class PluginOrderError extends Error {
  readonly code: PluginOrderErrorCode;
  readonly status?: number;

  constructor(code: PluginOrderErrorCode, message: string, status?: number) {
    super(message);
    this.name = 'PluginOrderError';
    this.code = code;
    if (status) this.status = status;
  }
}

/** What a host keeps of an order to read it later and to pay it: `paymentArgs` as is. */
export interface OrderRef {
  orderNo: string;
  orderToken: string;
}

const ORDER_NO = /^[A-Za-z0-9_\-*|]{6,32}$/;
const ORDER_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const STATUSES: readonly OrderStatus[] = ['pending', 'paid', 'closed', 'refunded'];
const MAX_LINES = 20;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ orderNo, orderToken }` of the shapes the server issues (checked before any request). */
export function isOrderRef(ref: unknown): ref is OrderRef {
  return (
    isObject(ref) &&
    typeof ref.orderNo === 'string' &&
    ORDER_NO.test(ref.orderNo) &&
    typeof ref.orderToken === 'string' &&
    ORDER_TOKEN.test(ref.orderToken)
  );
}

const isFen = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The server's order, or why it cannot be trusted enough to show or pay. */
function checkedOrder(value: unknown): Order {
  if (
    !isObject(value) ||
    typeof value.orderNo !== 'string' ||
    !ORDER_NO.test(value.orderNo) ||
    !STATUSES.includes(value.status as OrderStatus) ||
    !isFen(value.total) ||
    value.total === 0 ||
    value.currency !== 'CNY' ||
    !Array.isArray(value.items) ||
    typeof value.expiresAt !== 'string'
  ) {
    throw new PluginOrderError('MALFORMED_RESPONSE', 'the server sent an order we cannot read');
  }
  return value as unknown as Order;
}

/**
 * 8–64 characters the server accepts. The plugin has no crypto random source (wx.getRandomValues
 * is not available to plugins), so Math.random gives about 125 bits: unique, and, as the key is
 * what tells anonymous clients apart, unguessable by anyone who never saw it.
 */
function newIdempotencyKey(): string {
  let random = '';
  while (random.length < 24) random += Math.random().toString(36).slice(2);
  return `plg-${Date.now().toString(36)}-${random.slice(0, 24)}`;
}

function request(
  method: 'GET' | 'POST',
  path: string,
  header: Record<string, string>,
  data?: object,
): Promise<{ status: number; data: unknown }> {
  return new Promise((resolve, reject) => {
    wx.request({
      url: API_BASE_URL + path,
      method,
      header,
      ...(data ? { data } : {}),
      dataType: 'json',
      timeout: REQUEST_TIMEOUT_MS,
      success: (res) => resolve({ status: res.statusCode, data: res.data }),
      fail: (err) =>
        reject(
          new PluginOrderError(
            /timeout/i.test(err.errMsg) ? 'TIMEOUT' : 'NETWORK',
            `${method} ${path} failed: ${err.errMsg}`,
          ),
        ),
    });
  });
}

/** A non-2xx answer as the server's own `{ code, message }`. */
function refusal(method: string, path: string, res: { status: number; data: unknown }) {
  const body = isObject(res.data) ? res.data : {};
  const code = typeof body.code === 'string' ? (body.code as ApiErrorCode) : 'INTERNAL';
  const message = typeof body.message === 'string' ? body.message : `HTTP ${res.status}`;
  return new PluginOrderError(code, `${method} ${path}: ${message}`, res.status);
}

/**
 * Creates an order for `items` (sku + quantity; the server prices them). Retrying with the same
 * `idempotencyKey` returns the same order; one network failure is retried here with it.
 */
export async function createOrder(
  items: CreateOrderItem[],
  options: { remark?: string; idempotencyKey?: string } = {},
): Promise<CreatedOrder> {
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_LINES) {
    throw new PluginOrderError('INVALID_ARGUMENT', `items must be 1 to ${MAX_LINES} lines`);
  }
  for (const item of items) {
    if (
      !isObject(item) ||
      typeof item.sku !== 'string' ||
      !Number.isInteger(item.quantity) ||
      item.quantity < 1
    ) {
      throw new PluginOrderError(
        'INVALID_ARGUMENT',
        'each item must be { sku: string, quantity: a whole number from 1 }',
      );
    }
  }
  const key = options.idempotencyKey ?? newIdempotencyKey();
  const body: { items: CreateOrderItem[]; remark?: string } = {
    items: items.map(({ sku, quantity }) => ({ sku, quantity })),
  };
  if (options.remark) body.remark = options.remark;
  const header = { 'Idempotency-Key': key };
  let res;
  try {
    res = await request('POST', '/api/orders', header, body);
  } catch (err) {
    if (!(err instanceof PluginOrderError) || err.code !== 'NETWORK') throw err;
    res = await request('POST', '/api/orders', header, body);
  }
  if (res.status !== 200 && res.status !== 201) throw refusal('POST', '/api/orders', res);
  const order = checkedOrder(res.data);
  const token = (res.data as { orderToken?: unknown }).orderToken;
  if (typeof token !== 'string' || !ORDER_TOKEN.test(token)) {
    throw new PluginOrderError('MALFORMED_RESPONSE', 'the server sent an order without its token');
  }
  return { ...order, orderToken: token };
}

/** The order as the server has it now (it asks WeChat first while the order is pending). */
export async function getOrder(ref: OrderRef): Promise<Order> {
  if (!isOrderRef(ref)) {
    throw new PluginOrderError('INVALID_ARGUMENT', 'getOrder needs { orderNo, orderToken }');
  }
  const path = `/api/orders/${encodeURIComponent(ref.orderNo)}`;
  const res = await request('GET', path, { 'X-Order-Token': ref.orderToken });
  if (res.status !== 200) throw refusal('GET', path, res);
  return checkedOrder(res.data);
}

const ENV_VERSIONS = ['develop', 'trial', 'release'];

/**
 * The merchant's cashier mini program, when the server offers the half-screen channel
 * (`GET /api/catalog`: `channels` has 'half-screen' and `cashierApp` says where); `undefined`
 * when it does not. An answer that cannot be trusted to open the right app is MALFORMED_RESPONSE.
 */
export async function cashierAppOf(): Promise<CashierAppInfo | undefined> {
  const res = await request('GET', '/api/catalog', {});
  if (res.status !== 200) throw refusal('GET', '/api/catalog', res);
  const body = isObject(res.data) ? res.data : {};
  if (!Array.isArray(body.channels)) {
    throw new PluginOrderError('MALFORMED_RESPONSE', 'the server sent a catalogue we cannot read');
  }
  if (!body.channels.includes('half-screen')) return undefined;
  const app = body.cashierApp;
  if (
    !isObject(app) ||
    typeof app.appId !== 'string' ||
    !/^wx[0-9a-zA-Z]{16}$/.test(app.appId) ||
    typeof app.path !== 'string' ||
    !/^[\w/-]+$/.test(app.path) ||
    !ENV_VERSIONS.includes(app.envVersion as string)
  ) {
    throw new PluginOrderError(
      'MALFORMED_RESPONSE',
      'the server sent a cashier app we cannot open',
    );
  }
  return {
    appId: app.appId,
    path: app.path,
    envVersion: app.envVersion as CashierAppInfo['envVersion'],
  };
}

/** The pay-button's `paymentArgs` for an order: its number and token, nothing else. */
export function paymentArgsFor(order: OrderRef): OrderRef {
  return { orderNo: order.orderNo, orderToken: order.orderToken };
}
