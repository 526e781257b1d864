/** In-memory state of the sandbox: login codes, orders, prepays, refunds, notifications. */

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

export interface Order {
  appid: string;
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
}

export interface Refund {
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
  responseBody?: string;
  durationMs: number;
  acknowledged: boolean;
}

export type NotificationState = 'pending' | 'held' | 'delivered' | 'failed' | 'dropped';

export interface Notification {
  seq: number;
  id: string;
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
  private seq = 0;

  /** Orders are keyed by out_trade_no; the transaction_id APIs look one up by a linear scan. */
  orderByTransactionId(transactionId: string): Order | undefined {
    for (const order of this.orders.values()) {
      if (order.transactionId === transactionId) return order;
    }
    return undefined;
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }
}
