import type { SandboxContext } from './context';
import { refundId } from './ids';
import type { Order, Refund } from './store';
import { partnerRefundNotifyView, refundNotifyView } from './trade';
import { v2RefundNotification } from './v2/notifications';

/** Sandbox seconds a refund stays PROCESSING before it succeeds (scaled by timeScale). */
export const REFUND_SETTLE_S = 5;

export interface RefundRequest {
  scheme: Refund['scheme'];
  outRefundNo: string;
  refund: number;
  /** The order total the merchant states; must be the order's. */
  total: number;
  /** Canonical form of the business parameters: same out_refund_no + same key = same refund. */
  paramsKey: string;
  reason?: string;
  notifyUrl?: string;
}

/** What a refund request came to; v3 and v2 word each refusal their own way. */
export type RefundResult =
  | { kind: 'refund'; refund: Refund }
  | { kind: 'unpaid' }
  /** Same out_refund_no, other parameters. */
  | { kind: 'conflict' }
  | { kind: 'totalMismatch' }
  /** More than what is left to refund. */
  | { kind: 'over' };

/**
 * Accepts a refund of a paid order (shared by v3 and v2): PROCESSING at once, SUCCESS after
 * REFUND_SETTLE_S, then a notification in the requesting API's format if it gave a notify_url.
 */
export function placeRefund(
  ctx: SandboxContext,
  order: Order,
  request: RefundRequest,
): RefundResult {
  if (order.transactionId === undefined) return { kind: 'unpaid' };
  const existing = ctx.store.refunds.get(request.outRefundNo);
  if (existing !== undefined) {
    const same = existing.paramsKey === request.paramsKey && existing.scheme === request.scheme;
    return same ? { kind: 'refund', refund: existing } : { kind: 'conflict' };
  }
  if (request.total !== order.total) return { kind: 'totalMismatch' };
  if (request.refund > order.total - refundedSoFar(ctx, order)) return { kind: 'over' };
  const now = ctx.clock.now();
  const refund: Refund = {
    scheme: request.scheme,
    refundId: refundId(now),
    outRefundNo: request.outRefundNo,
    outTradeNo: order.outTradeNo,
    transactionId: order.transactionId,
    refund: request.refund,
    total: order.total,
    currency: order.currency,
    paramsKey: request.paramsKey,
    status: 'PROCESSING',
    createdAt: now,
  };
  if (request.reason !== undefined) refund.reason = request.reason;
  if (request.notifyUrl !== undefined) refund.notifyUrl = request.notifyUrl;
  ctx.store.refunds.set(refund.outRefundNo, refund);
  order.refundNos.push(refund.outRefundNo);
  order.state = 'REFUND';
  ctx.scheduler.after(REFUND_SETTLE_S, () => settleRefund(ctx, order, refund));
  return { kind: 'refund', refund };
}

function refundedSoFar(ctx: SandboxContext, order: Order): number {
  return order.refundNos
    .map((no) => ctx.store.refunds.get(no))
    .filter((r): r is Refund => r !== undefined && r.status !== 'CLOSED' && r.status !== 'ABNORMAL')
    .reduce((sum, r) => sum + r.refund, 0);
}

/** PROCESSING → SUCCESS, then REFUND.SUCCESS to the refund's notify_url (if it gave one). */
export function settleRefund(ctx: SandboxContext, order: Order, refund: Refund): void {
  if (refund.status !== 'PROCESSING') return;
  refund.status = 'SUCCESS';
  refund.successTime = ctx.clock.now();
  if (refund.notifyUrl === undefined) return;
  if (refund.scheme === 'v2') {
    ctx.notifier.enqueue(v2RefundNotification(ctx, order, refund, refund.notifyUrl));
    return;
  }
  ctx.notifier.enqueue({
    eventType: 'REFUND.SUCCESS',
    summary: '退款成功',
    originalType: 'refund',
    plaintext:
      order.partner === undefined
        ? refundNotifyView(refund, order.mchid)
        : partnerRefundNotifyView(refund, order),
    url: refund.notifyUrl,
    outTradeNo: order.outTradeNo,
    outRefundNo: refund.outRefundNo,
  });
}
