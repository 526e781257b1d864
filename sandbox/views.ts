import type { SandboxContext } from './context';
import { rfc3339Beijing } from './ids';
import type { Notification, Order, Refund } from './store';
import { partnerTransactionView, PREPAY_LIFETIME_MS, refundView, transactionView } from './trade';

/** Control-API view of an order: the sandbox's whole record, no secrets. */
export function orderControlView(ctx: SandboxContext, order: Order): Record<string, unknown> {
  const refunds = order.refundNos
    .map((no) => ctx.store.refunds.get(no))
    .filter((r): r is Refund => r !== undefined);
  return {
    outTradeNo: order.outTradeNo,
    scheme: order.scheme,
    signType: order.signType,
    partner: order.partner,
    state: order.state,
    appid: order.appid,
    mchid: order.mchid,
    description: order.description,
    attach: order.attach,
    total: order.total,
    currency: order.currency,
    payerOpenid: order.payerOpenid,
    notifyUrl: order.notifyUrl,
    timeExpire: order.timeExpire,
    expired: order.timeExpireMs !== undefined && ctx.clock.now() >= order.timeExpireMs,
    createdAt: rfc3339Beijing(order.createdAt),
    transactionId: order.transactionId,
    successTime: order.successTime === undefined ? undefined : rfc3339Beijing(order.successTime),
    prepays: order.prepays.map((p) => ({
      prepayId: p.id,
      createdAt: rfc3339Beijing(p.createdAt),
      expiresAt: rfc3339Beijing(p.createdAt + PREPAY_LIFETIME_MS),
      valid: ctx.clock.now() - p.createdAt < PREPAY_LIFETIME_MS,
    })),
    refunds: refunds.map((r) => ({ ...refundView(r), scheme: r.scheme })),
    cashier: order.cashier.map((e) => ({ ...e, at: rfc3339Beijing(e.at) })),
    cashierOmitted: order.cashierOmitted,
    notifications: ctx.store.notifications
      .filter((n) => n.outTradeNo === order.outTradeNo)
      .map(notificationControlView),
    transaction:
      order.partner === undefined ? transactionView(order) : partnerTransactionView(order),
  };
}

export function notificationControlView(n: Notification): Record<string, unknown> {
  return {
    seq: n.seq,
    id: n.id,
    format: n.format,
    eventType: n.eventType,
    outTradeNo: n.outTradeNo,
    outRefundNo: n.outRefundNo,
    url: n.url,
    state: n.state,
    fault: n.fault,
    attempts: n.attempts,
    nextAttemptAt: n.nextAttemptAt,
    body: n.body,
  };
}
