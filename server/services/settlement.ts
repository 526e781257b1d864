/**
 * Settlement rules: whether WeChat's account of a payment is about this order, and what a
 * payment writes. The query, the notification and the close job all decide through these.
 */
import type { Transaction } from '../wechatpay/types';

/** WeChat's transaction is not about this order (another app, merchant, order or amount). */
export class TransactionMismatch extends Error {}

/** Throws TransactionMismatch unless `t` is about `row` (and, when paid, for its total). */
export function checkTransaction(
  ours: { appId: string; mchId: string },
  row: { order_no: string; total: number },
  t: Transaction,
): void {
  const { appId, mchId } = ours;
  if (t.appid !== appId) throw new TransactionMismatch(`appid ${t.appid} is not ours`);
  if (t.mchid !== mchId) throw new TransactionMismatch(`mchid ${t.mchid} is not ours`);
  if (t.out_trade_no !== row.order_no)
    throw new TransactionMismatch(`out_trade_no ${t.out_trade_no} mismatch`);
  if (
    (t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND') &&
    t.amount?.total !== row.total
  ) {
    throw new TransactionMismatch(
      `amount ${String(t.amount?.total)} differs from the order total ${row.total}`,
    );
  }
}

/** The states a payment may move to paid (a payment that raced a close still wins). */
export const PAYABLE_INTO_PAID: ('pending' | 'closed')[] = ['pending', 'closed'];

/** The columns a payment sets: what markPaid and the notification fast path both write. */
export function paidValues(
  t: Transaction,
  now: number,
): { status: 'paid'; transaction_id: string | null; paid_at: number; updated_at: number } {
  const paidAt = t.success_time ? Date.parse(t.success_time) : NaN;
  return {
    status: 'paid',
    transaction_id: t.transaction_id ?? null,
    paid_at: Number.isFinite(paidAt) ? paidAt : now,
    updated_at: now,
  };
}
