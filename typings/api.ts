/**
 * Merchant server HTTP API bodies (JSON). Money is integer fen everywhere.
 * Errors are `ApiError` with a matching HTTP status.
 */
import type { RequestPaymentArgs } from './payment';

export type ApiErrorCode =
  | 'VALIDATION_ERROR' // 400: body, params or headers do not match the schema
  | 'UNAUTHORIZED' // 401: missing, unknown or expired bearer token
  | 'FORBIDDEN' // 403: the order belongs to another payer, or needs its order token
  | 'NOT_FOUND' // 404: unknown order or route
  | 'ORDER_NOT_PAYABLE' // 409: paid, closed, expired or refunded
  | 'IDEMPOTENCY_CONFLICT' // 409: same Idempotency-Key, different body
  | 'REFUND_IN_PROGRESS' // 409: earlier refunds still processing at WeChat hold the amount; retry later
  | 'SUB_MERCHANT_UNAVAILABLE' // 403: partner mode: no enabled sub-merchant takes this host's orders
  | 'CHANNEL_CONFLICT' // 409: the order is being paid through another channel (plugin, half-screen cashier, jump-out)
  | 'CHANNEL_UNAVAILABLE' // 403: the jump-out channel is not configured on this server
  | 'PAYLOAD_TOO_LARGE' // 413
  | 'UNSUPPORTED_MEDIA_TYPE' // 415
  | 'RATE_LIMITED' // 429
  | 'LOGIN_FAILED' // 400/502: code2Session refused the code or failed
  | 'UPSTREAM_ERROR' // 502: WeChat Pay failed or answered something we cannot trust
  | 'INTERNAL'; // 500

export interface ApiError {
  code: ApiErrorCode;
  message: string;
}

export interface CatalogProduct {
  sku: string;
  name: string;
  spec: string;
  /** Unit price in fen. */
  price: number;
  /** Largest quantity of this sku in one order. */
  maxQuantity: number;
}

/** What the server accepts in one order; the shop enforces these instead of keeping its own copy. */
export interface OrderLimits {
  /** Characters in the optional remark. */
  remarkMaxLength: number;
  /** Distinct lines (skus) per order. */
  maxLines: number;
  /** Ceiling on any line's quantity, before the product's own maxQuantity. */
  maxQuantity: number;
}

/**
 * How a shopper can pay: `plugin` (WeChat Pay through the plugin's pay-button, always),
 * `half-screen` (WeChat Pay in the merchant's own cashier mini program opened half-screen, when
 * CASHIER_APP_ID is set) and `jump-out` (the aggregator's cashier mini program, when
 * AGGREGATOR_PROVIDER is set).
 */
export type PaymentChannel = 'plugin' | 'half-screen' | 'jump-out';

/** Where `wx.openEmbeddedMiniProgram` opens the merchant's cashier mini program. */
export interface CashierAppInfo {
  appId: string;
  /** Its payment page; the opener appends `?orderNo=…`. */
  path: string;
  envVersion: 'develop' | 'trial' | 'release';
}

export interface CatalogResponse {
  products: CatalogProduct[];
  limits: OrderLimits;
  /** The payment channels this server takes; `plugin` always comes first. */
  channels: PaymentChannel[];
  /** Present exactly when `channels` has `half-screen`. */
  cashierApp?: CashierAppInfo;
}

export interface CreateOrderItem {
  sku: string;
  quantity: number;
}

/** Body of `POST /api/orders`; send an `Idempotency-Key` header (8–64 chars) to make it safe to retry. */
export interface CreateOrderRequest {
  items: CreateOrderItem[];
  remark?: string;
}

export type OrderStatus = 'pending' | 'paid' | 'closed' | 'refunded';

export interface OrderLine {
  sku: string;
  name: string;
  spec: string;
  unitPrice: number;
  quantity: number;
  /** unitPrice × quantity, fen. */
  subtotal: number;
}

export interface OrderBreakdown {
  goods: number;
  shipping: number;
  discount: number;
  /** goods + shipping − discount: what WeChat Pay charges. */
  total: number;
}

export interface Order {
  orderNo: string;
  status: OrderStatus;
  /** Amount due in fen (= breakdown.total). */
  total: number;
  currency: 'CNY';
  items: OrderLine[];
  breakdown: OrderBreakdown;
  remark?: string;
  /** RFC 3339. */
  createdAt: string;
  /** RFC 3339; a pending order past this is closed and cannot be paid. */
  expiresAt: string;
  /** RFC 3339, when paid. */
  paidAt?: string;
  /** WeChat Pay transaction id, when paid. */
  transactionId?: string;
  /** Fen refunded so far. */
  refunded?: number;
  /** AppID of the host mini program that placed it through the plugin (WeChat-signed). */
  hostAppId?: string;
}

/**
 * What `POST /api/orders` answers its creator. `orderToken` opens the order before it has a
 * payer: send it as `X-Order-Token` to read the order, and put it in the pay-button's
 * `paymentArgs` so the functional page can pay. Keep it like a password; it is not shown again
 * unless the same client repeats the create with the same `Idempotency-Key`.
 */
export interface CreatedOrder extends Order {
  orderToken: string;
}

export interface SessionRequest {
  /** `wx.login` code: single use, valid 5 minutes. */
  code: string;
  /** AppID of the mini program that called `wx.login` (default: the owner app). */
  appId?: string;
}

export interface SessionResponse {
  /** Opaque bearer token for `Authorization: Bearer <token>`. */
  token: string;
  openid: string;
  /** Seconds until the token expires. */
  expiresIn: number;
}

/** `POST /api/orders/:orderNo/pay` answers the functional page's requestPaymentArgs. */
export type PayResponse = RequestPaymentArgs;

/**
 * `POST /api/orders/:orderNo/pay-with-login`: a first payment in one request. The `wx.login`
 * code is exchanged and the order paid at once; the session comes back for the next payment.
 */
export interface PayWithLoginResponse {
  session: SessionResponse;
  payment: PayResponse;
}

/**
 * `POST /api/orders/:orderNo/jump-out`: the arguments of `wx.navigateToMiniProgram` to the
 * aggregator's cashier mini program. Coming back from it proves nothing: the order's state on
 * the server (settled by the aggregator's notification) is the only word on whether it is paid.
 */
export interface JumpOutResponse {
  /** The cashier mini program's AppID. */
  appId: string;
  /** Page path in it; empty opens its home page. */
  path: string;
  /** Signed by the server for this order (amount from the stored order); pass it on unchanged. */
  extraData: Record<string, string>;
  envVersion: 'release';
}

export interface RefundRequest {
  /** Fen to refund; defaults to what is left of the total. */
  amount?: number;
  reason?: string;
}

export interface RefundResponse {
  orderNo: string;
  outRefundNo: string;
  amount: number;
  status: 'processing' | 'success' | 'closed' | 'abnormal';
}

export interface HealthResponse {
  status: 'ok';
  database: 'ok';
}
