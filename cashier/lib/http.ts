/**
 * The merchant server's API as the cashier uses it: `wx.request` as a promise, every answer
 * checked before it is believed. The cashier is a package of its own (another AppID), so it
 * carries this small client rather than reaching into the shop's.
 */
import type { ApiError, ApiErrorCode, Order, PayWithLoginResponse } from '../../typings';
import { API_BASE_URL, REQUEST_TIMEOUT_MS } from '../build-config';

export type ApiFailureKind = 'network' | 'http' | 'malformed';

export class ApiFailure extends Error {
  readonly kind: ApiFailureKind;
  readonly code: ApiErrorCode | undefined;

  constructor(kind: ApiFailureKind, message: string, code?: ApiErrorCode) {
    super(message);
    this.name = 'ApiFailure';
    this.kind = kind;
    this.code = code;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function call(
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: object,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const header: Record<string, string> = { Accept: 'application/json', ...headers };
    if (body !== undefined) header['Content-Type'] = 'application/json';
    wx.request({
      url: `${API_BASE_URL}${path}`,
      method,
      data: body,
      header,
      dataType: 'json',
      timeout: REQUEST_TIMEOUT_MS,
      success(res) {
        if (res.statusCode >= 200 && res.statusCode < 300) {
          resolve(res.data);
          return;
        }
        const error = res.data as Partial<ApiError> | undefined;
        const code = isObject(error) && typeof error.code === 'string' ? error.code : undefined;
        reject(new ApiFailure('http', `HTTP ${res.statusCode}`, code));
      },
      fail(err) {
        reject(new ApiFailure('network', err.errMsg || 'request:fail'));
      },
    });
  });
}

/** The order's token opens it until it has a payer (typings CreatedOrder.orderToken). */
function tokenHeader(orderToken: string | undefined): Record<string, string> {
  return orderToken ? { 'X-Order-Token': orderToken } : {};
}

const isFen = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/** The server's order, or why it cannot be shown: the cashier shows only what it checked. */
function checkedOrder(value: unknown, orderNo: string): Order {
  if (
    !isObject(value) ||
    value.orderNo !== orderNo ||
    !['pending', 'paid', 'closed', 'refunded'].includes(String(value.status)) ||
    !isFen(value.total) ||
    value.currency !== 'CNY' ||
    !Array.isArray(value.items) ||
    typeof value.expiresAt !== 'string'
  ) {
    throw new ApiFailure('malformed', 'the server sent an order the cashier cannot read');
  }
  return value as unknown as Order;
}

export async function fetchOrder(orderNo: string, orderToken?: string): Promise<Order> {
  const path = `/api/orders/${encodeURIComponent(orderNo)}`;
  return checkedOrder(await call('GET', path, tokenHeader(orderToken)), orderNo);
}

/**
 * Signs the payer in under the cashier's own AppID and has the server place (or reuse) the
 * WeChat Pay order for that AppID, in one request; answers wx.requestPayment's arguments.
 */
export async function payWithLogin(
  orderNo: string,
  orderToken: string | undefined,
  code: string,
  appId: string,
): Promise<PayWithLoginResponse['payment']> {
  const path = `/api/orders/${encodeURIComponent(orderNo)}/pay-with-login`;
  const answer = await call('POST', path, tokenHeader(orderToken), { code, appId });
  const payment = isObject(answer) ? answer.payment : undefined;
  if (
    !isObject(payment) ||
    typeof payment.timeStamp !== 'string' ||
    typeof payment.nonceStr !== 'string' ||
    typeof payment.package !== 'string' ||
    typeof payment.paySign !== 'string' ||
    typeof payment.signType !== 'string'
  ) {
    throw new ApiFailure('malformed', 'the server sent payment arguments the cashier cannot use');
  }
  return payment as unknown as PayWithLoginResponse['payment'];
}
