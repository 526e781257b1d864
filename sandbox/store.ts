/** In-memory state of the sandbox: login codes, orders, prepays, refunds, notifications, jumps. */
import { JumpLog } from './jumps';
import type { V2SignType } from './v2/sign';

export type TradeState =
  'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';

export interface LoginCode {
  code: string;
  appid: string;
  user: string;
  openid: string;
  expiresAt: number;
  used: boolean;
}

export interface Prepay {
  id: string;
  outTradeNo: string;
  createdAt: number;
}

/** What came of a cashier call: the user's choice, or a check that refused it first. */
export type CashierResultKind = 'paid' | 'cancelled' | 'failed' | 'refused';

/**
 * One `wx.requestPayment` at the sandbox cashier that named this order's prepay_id. A cancel or a
 * refused attempt changes nothing on the order, so without this record it would leave no trace.
 */
export interface CashierEvent {
  /** Virtual time of the call. */
  at: number;
  /** Who tried to pay: the openid the client sent (not necessarily the order's payer). */
  openid: string;
  appid: string;
  prepayId: string;
  /** The outcome the client asked the cashier for. */
  requested: 'success' | 'cancel' | 'fail';
  result: CashierResultKind;
  errMsg: string;
  reason?: string;
}

/** A client retrying one order in a loop must not grow memory without bound; the latest calls matter most. */
export const MAX_CASHIER_EVENTS_PER_ORDER = 50;

/** Which API created an order: it decides the cashier's signature rule and the notification format. */
export type OrderScheme = 'v3' | 'v3-partner' | 'v2';

/** A service-provider order: the provider's ids and the sub-merchant the money goes to. */
export interface PartnerParties {
  spAppid: string;
  spMchid: string;
  subMchid: string;
  subAppid?: string;
  /** Whose openid the payer gave: sp_openid (under sp_appid) or sub_openid (under sub_appid). */
  payerKind: 'sp' | 'sub';
  /** The payer under sp_appid (when paying with sub_openid, only if the sandbox knows the user). */
  spOpenid?: string;
}

export interface Order {
  scheme: OrderScheme;
  /** v2 orders: the sign_type of unifiedorder, which the cashier and notifications must use. */
  signType?: V2SignType;
  partner?: PartnerParties;
  /** The AppID the payer pays with (sp_appid or sub_appid for partner orders). */
  appid: string;
  /** The merchant that took the order (sp_mchid for partner orders). */
  mchid: string;
  outTradeNo: string;
  description: string;
  attach?: string;
  notifyUrl: string;
  timeExpire?: string;
  timeExpireMs?: number;
  total: number;
  currency: string;
  payerOpenid: string;
  /** Canonical JSON of the create parameters: same out_trade_no + same params reuses the order. */
  paramsKey: string;
  createdAt: number;
  state: TradeState;
  transactionId?: string;
  successTime?: number;
  payerTotal?: number;
  closedAt?: number;
  prepays: Prepay[];
  refundNos: string[];
  /** Cashier calls on this order, oldest first (at most MAX_CASHIER_EVENTS_PER_ORDER). */
  cashier: CashierEvent[];
  /** How many older cashier calls were let go to keep that bound. */
  cashierOmitted: number;
}

export interface Refund {
  /** The API the refund was requested through: its notification comes in that format. */
  scheme: 'v3' | 'v2';
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  reason?: string;
  notifyUrl?: string;
  refund: number;
  total: number;
  currency: string;
  paramsKey: string;
  status: RefundStatus;
  createdAt: number;
  successTime?: number;
}

export interface DeliveryAttempt {
  n: number;
  /** Virtual time the attempt started (RFC 3339, +08:00). */
  at: string;
  realAt: string;
  status?: number;
  error?: string;
  /** The first bytes of the merchant's answer (see responseBytes for its whole length). */
  responseBody?: string;
  /** Length of the merchant's whole answer body in bytes (responseBody may be cut short). */
  responseBytes?: number;
  durationMs: number;
  acknowledged: boolean;
}

export type NotificationState = 'pending' | 'held' | 'delivered' | 'failed' | 'dropped';

export interface Notification {
  seq: number;
  id: string;
  /** JSON (API v3, signed headers) or XML (API v2, signed or encrypted body). */
  format: 'json' | 'xml';
  eventType: string;
  outTradeNo: string;
  outRefundNo?: string;
  url: string;
  body: string;
  state: NotificationState;
  /** Which fault shaped this delivery, if any (duplicate copies say 'duplicate'). */
  fault?: string;
  attempts: DeliveryAttempt[];
  nextAttemptAt?: string;
}

export class Store {
  readonly codes = new Map<string, LoginCode>();
  readonly orders = new Map<string, Order>();
  readonly prepays = new Map<string, Prepay>();
  readonly refunds = new Map<string, Refund>();
  readonly notifications: Notification[] = [];
  /** Jumps between mini programs the client reported (POST /sandbox/jumps). */
  readonly jumps = new JumpLog();
  private seq = 0;

  /** Orders are keyed by out_trade_no; the transaction_id APIs look one up by a linear scan. */
  orderByTransactionId(transactionId: string): Order | undefined {
    for (const order of this.orders.values()) {
      if (order.transactionId === transactionId) return order;
    }
    return undefined;
  }

  recordCashier(order: Order, event: CashierEvent): void {
    order.cashier.push(event);
    if (order.cashier.length > MAX_CASHIER_EVENTS_PER_ORDER) {
      order.cashier.shift();
      order.cashierOmitted += 1;
    }
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }
}
