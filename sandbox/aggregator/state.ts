/** What the aggregator remembers: cashier calls, payments and its notifications, per order. */
import type { DeliveryAttempt, NotificationState } from '../store';

export type AggregatorResult = 'paid' | 'cancelled' | 'failed' | 'refused';

export type AggregatorOutcome = 'success' | 'cancel' | 'fail';

/** One opening of the cashier mini program, whatever came of it. */
export interface AggregatorCall {
  seq: number;
  /** Virtual time of the call. */
  at: number;
  appId: string;
  openid: string;
  /** extraData's out_trade_no when it was a string (else the call belongs to no order). */
  outTradeNo?: string;
  /** extraData's total_fee as sent. */
  totalFee?: string;
  requested: AggregatorOutcome;
  result: AggregatorResult;
  reason?: string;
}

/** A payment the aggregator took: its own id and WeChat's, made once per out_trade_no. */
export interface AggregatorPayment {
  payjsOrderId: string;
  transactionId: string;
  totalFee: number;
  openid: string;
  /** Virtual time it was paid. */
  paidAt: number;
  notifyUrl: string;
  attach?: string;
}

export interface AggregatorNotification {
  seq: number;
  outTradeNo: string;
  url: string;
  /** The form body as sent on genuine attempts. */
  body: string;
  state: NotificationState;
  fault?: string;
  attempts: DeliveryAttempt[];
  nextAttemptAt?: string;
}

export interface AggregatorOrder {
  outTradeNo: string;
  calls: AggregatorCall[];
  payment?: AggregatorPayment;
  notifications: AggregatorNotification[];
}

/** A client opening the cashier in a loop must not grow memory without bound. */
export const MAX_CALLS_KEPT = 500;
const MAX_CALLS_PER_ORDER = 50;

export class AggregatorState {
  readonly orders = new Map<string, AggregatorOrder>();
  /** Every call, oldest first (at most MAX_CALLS_KEPT), refused ones with no order included. */
  readonly calls: AggregatorCall[] = [];
  readonly notifications: AggregatorNotification[] = [];
  private seq = 0;

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  order(outTradeNo: string): AggregatorOrder {
    let order = this.orders.get(outTradeNo);
    if (order === undefined) {
      order = { outTradeNo, calls: [], notifications: [] };
      this.orders.set(outTradeNo, order);
    }
    return order;
  }

  recordCall(call: AggregatorCall): void {
    this.calls.push(call);
    if (this.calls.length > MAX_CALLS_KEPT) this.calls.shift();
    if (call.outTradeNo === undefined) return;
    const order = this.order(call.outTradeNo);
    order.calls.push(call);
    if (order.calls.length > MAX_CALLS_PER_ORDER) order.calls.shift();
  }
}
