/** JSON views of the aggregator's records for the control API (times in Beijing RFC 3339). */
import { rfc3339Beijing } from '../ids';
import type { AggregatorCall, AggregatorNotification, AggregatorOrder } from './state';

export function callView(c: AggregatorCall): Record<string, unknown> {
  return { ...c, at: rfc3339Beijing(c.at) };
}

export function notificationView(n: AggregatorNotification): Record<string, unknown> {
  return { ...n };
}

export function orderView(o: AggregatorOrder): Record<string, unknown> {
  return {
    outTradeNo: o.outTradeNo,
    paid: o.payment !== undefined,
    payment:
      o.payment === undefined ? null : { ...o.payment, paidAt: rfc3339Beijing(o.payment.paidAt) },
    calls: o.calls.map(callView),
    notifications: o.notifications.map(notificationView),
  };
}
