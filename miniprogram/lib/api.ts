/**
 * The shop's calls to the merchant server. Reading an order carries the shop's bearer token
 * (see session.ts); a rejected token is renewed once. Answers are checked before a page uses
 * them, so a broken server shows an error state rather than `NaN` on a price.
 */
import type {
  CatalogProduct,
  CatalogResponse,
  CashierAppInfo,
  JumpOutResponse,
  Order,
  OrderLimits,
  OrderLine,
  PaymentChannel,
} from '../../typings';
import type { Cart } from './cart';
import { forgetIdempotencyKey, idempotencyKeyFor } from './cart';
import { clockOffsetFromDateHeader } from './countdown';
import type { HttpRequest, HttpResponse } from './http';
import { HttpError, errorFromResponse, headerValue, send } from './http';
import { isFen } from './money';
import { isPayable } from './order-status';
import { isOrderToken, orderTokenOf, rememberOrderToken } from './order-tokens';
import { forgetSession, getToken } from './session';

/** An order as fetched, with how far the server's clock is from ours. */
export interface FetchedOrder {
  order: Order;
  clockOffsetMs: number;
}

const ORDER_NO_PATTERN = /^[A-Za-z0-9_\-*|]{6,32}$/;

export function isOrderNo(value: unknown): value is string {
  return typeof value === 'string' && ORDER_NO_PATTERN.test(value);
}

function isOrderLine(value: unknown): value is OrderLine {
  const v = value as OrderLine | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.sku === 'string' &&
    typeof v.name === 'string' &&
    typeof v.spec === 'string' &&
    isFen(v.unitPrice) &&
    isFen(v.quantity) &&
    isFen(v.subtotal)
  );
}

const STATUSES: readonly string[] = ['pending', 'paid', 'closed', 'refunded'];

export function isOrder(value: unknown): value is Order {
  const v = value as Order | null;
  if (typeof v !== 'object' || v === null) return false;
  const b = v.breakdown as Order['breakdown'] | undefined;
  return (
    isOrderNo(v.orderNo) &&
    STATUSES.includes(v.status) &&
    isFen(v.total) &&
    v.total > 0 &&
    Array.isArray(v.items) &&
    v.items.every(isOrderLine) &&
    typeof b === 'object' &&
    b !== null &&
    isFen(b.goods) &&
    isFen(b.shipping) &&
    isFen(b.discount) &&
    b.total === v.total &&
    typeof v.expiresAt === 'string' &&
    !Number.isNaN(Date.parse(v.expiresAt)) &&
    (v.remark === undefined || v.remark === null || typeof v.remark === 'string')
  );
}

function isProduct(value: unknown): value is CatalogProduct {
  const v = value as CatalogProduct | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.sku === 'string' &&
    typeof v.name === 'string' &&
    isFen(v.price) &&
    isFen(v.maxQuantity)
  );
}

function isLimit(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

export function isOrderLimits(value: unknown): value is OrderLimits {
  const v = value as OrderLimits | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    isLimit(v.remarkMaxLength) &&
    isLimit(v.maxLines) &&
    isLimit(v.maxQuantity)
  );
}

async function authorized(request: HttpRequest): Promise<HttpResponse> {
  const attempt = async (): Promise<HttpResponse> =>
    send({
      ...request,
      headers: { ...request.headers, Authorization: `Bearer ${await getToken()}` },
    });
  const response = await attempt();
  if (response.status !== 401) return response;
  forgetSession();
  return attempt();
}

function fetchedOrder(response: HttpResponse): FetchedOrder {
  if (response.status < 200 || response.status >= 300) throw errorFromResponse(response);
  if (!isOrder(response.data)) {
    throw new HttpError('malformed', 'The server sent an order we cannot read.', response.status);
  }
  return {
    order: response.data,
    clockOffsetMs: clockOffsetFromDateHeader(
      headerValue(response.header, 'date'),
      response.sentAtMs,
      response.receivedAtMs,
    ),
  };
}

const CHANNELS: readonly PaymentChannel[] = ['plugin', 'half-screen', 'jump-out'];

/**
 * The payment channels the server has configured. A server from before channels existed sends
 * none and takes plugin payment only; a channel this build does not know is left out.
 */
export function channelsOf(value: unknown): PaymentChannel[] {
  if (!Array.isArray(value)) return ['plugin'];
  return CHANNELS.filter((c) => value.includes(c));
}

/** The products, the server's order limits (remark length, lines, quantity) and its channels. */
export async function getCatalog(): Promise<CatalogResponse> {
  const response = await send({ method: 'GET', path: '/api/catalog' });
  if (response.status !== 200) throw errorFromResponse(response);
  const data = response.data as { products?: unknown; limits?: unknown; channels?: unknown } | null;
  const products = data?.products;
  const limits = data?.limits;
  if (!Array.isArray(products) || !products.every(isProduct) || !isOrderLimits(limits)) {
    throw new HttpError('malformed', 'The catalogue is not readable.', response.status);
  }
  const cashierApp = (data as { cashierApp?: unknown } | null)?.cashierApp;
  const channels = channelsOf(data?.channels);
  // Half-screen needs to know where to open: without a readable cashierApp it is not offered.
  if (!isCashierAppInfo(cashierApp)) {
    return { products, limits, channels: channels.filter((c) => c !== 'half-screen') };
  }
  return { products, limits, channels, cashierApp };
}

const APP_ID_PATTERN = /^wx[0-9a-f]{16}$/;
const PAGE_PATH = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

function isCashierAppInfo(value: unknown): value is CashierAppInfo {
  const v = value as CashierAppInfo | null | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.appId === 'string' &&
    APP_ID_PATTERN.test(v.appId) &&
    typeof v.path === 'string' &&
    PAGE_PATH.test(v.path) &&
    (v.envVersion === 'develop' || v.envVersion === 'trial' || v.envVersion === 'release')
  );
}

export function isJumpOutResponse(value: unknown): value is JumpOutResponse {
  const v = value as JumpOutResponse | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.appId === 'string' &&
    APP_ID_PATTERN.test(v.appId) &&
    typeof v.path === 'string' &&
    typeof v.extraData === 'object' &&
    v.extraData !== null &&
    Object.values(v.extraData).every((field) => typeof field === 'string') &&
    v.envVersion === 'release'
  );
}

/**
 * The signed wx.navigateToMiniProgram arguments for paying `orderNo` at the aggregator's cashier.
 * The first call binds the order to that channel at the server (WeChat Pay is refused for it
 * from then on), so the page asks only once the shopper chose the cashier.
 */
export async function startJumpOut(orderNo: string): Promise<JumpOutResponse> {
  if (!isOrderNo(orderNo)) throw new HttpError('http', 'Not an order number.', 404, 'NOT_FOUND');
  const path = `/api/orders/${encodeURIComponent(orderNo)}/jump-out`;
  const orderToken = orderTokenOf(orderNo);
  let response: HttpResponse | undefined;
  if (orderToken) {
    response = await send({
      method: 'POST',
      path,
      body: {},
      headers: { 'X-Order-Token': orderToken },
    });
    // A token another server issued: ask as the order's payer instead, as getOrder does.
    if (response.status === 403 && errorFromResponse(response).code === 'FORBIDDEN') {
      response = undefined;
    }
  }
  // An empty JSON object: a JSON POST with no body at all is refused as malformed.
  response ??= await authorized({ method: 'POST', path, body: {} });
  if (response.status !== 200) throw errorFromResponse(response);
  if (!isJumpOutResponse(response.data)) {
    throw new HttpError('malformed', 'The server sent cashier arguments we cannot read.', 200);
  }
  return response.data;
}

/** The pay-button's `paymentArgs` for an order: its number, and its token when the shop has it. */
export function paymentArgsFor(orderNo: string): { orderNo: string; orderToken?: string } {
  const orderToken = orderTokenOf(orderNo);
  return orderToken ? { orderNo, orderToken } : { orderNo };
}

/**
 * An order this shop created opens with its token and needs no sign-in; any other (a link from
 * elsewhere, a token no longer stored) is read with the shop's session as its payer. A token
 * refused (it belongs to another server) falls back to the session once.
 */
export async function getOrder(orderNo: string): Promise<FetchedOrder> {
  if (!isOrderNo(orderNo)) throw new HttpError('http', 'Not an order number.', 404, 'NOT_FOUND');
  const path = `/api/orders/${encodeURIComponent(orderNo)}`;
  const orderToken = orderTokenOf(orderNo);
  if (orderToken) {
    const response = await send({ method: 'GET', path, headers: { 'X-Order-Token': orderToken } });
    if (response.status !== 403) return fetchedOrder(response);
  }
  return fetchedOrder(await authorized({ method: 'GET', path }));
}

/** Creating an order needs no sign-in: the payer is bound when the functional page pays. */
function postOrder(cart: Cart): Promise<HttpResponse> {
  const body = cart.remark ? { items: cart.items, remark: cart.remark } : { items: cart.items };
  return send({
    method: 'POST',
    path: '/api/orders',
    body,
    headers: { 'Idempotency-Key': idempotencyKeyFor(cart) },
  });
}

/**
 * Creates the cart's order, or returns the one already created for it. If that earlier order can
 * no longer be paid (paid, closed, expired), the cart starts a fresh order once.
 */
export async function createOrder(cart: Cart): Promise<FetchedOrder> {
  const response = await postOrder(cart);
  // The key is ours alone, so a conflict means storage held a key from an older app version
  // with another body: start over with a fresh key rather than fail the checkout.
  if (response.status !== 409 || errorFromResponse(response).code !== 'IDEMPOTENCY_CONFLICT') {
    const first = createdOrder(response);
    if (isPayable(first.order, Date.now() + first.clockOffsetMs)) return first;
  }
  forgetIdempotencyKey(cart);
  return createdOrder(await postOrder(cart));
}

/** A created order, whose token is kept for reading and paying it. */
function createdOrder(response: HttpResponse): FetchedOrder {
  const fetched = fetchedOrder(response);
  const { orderToken } = response.data as { orderToken?: unknown };
  if (!isOrderToken(orderToken)) {
    throw new HttpError(
      'malformed',
      'The server sent an order without its token.',
      response.status,
    );
  }
  rememberOrderToken(fetched.order.orderNo, orderToken);
  return fetched;
}
