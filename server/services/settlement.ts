/**
 * Settlement: what WeChat's word does to an order. `applyTransaction` is the one place a
 * verified transaction moves an order (from the GET query, the query job and the close job); the
 * notification's fast path writes the same `paidValues` under the same `PAYABLE_INTO_PAID` rule.
 */
import { isNotFound, isVerifiedAnswer } from '../wechat/pay/errors';
import type { OrderRef } from '../wechat/pay/port';
import type { Transaction } from '../wechat/pay/types';
import type { ServiceContext } from './context';
import type { OrderRecords, OrderRow } from './order-records';

/** WeChat's transaction is not about this order (another app, merchant, order or amount). */
export class TransactionMismatch extends Error {}

/** How the payment port names an order row. */
export function orderRef(row: OrderRow): OrderRef {
  return {
    orderNo: row.order_no,
    subMchId: row.sub_mchid,
    appId: row.pay_appid,
    placedAt: row.prepay_at,
  };
}

/** Throws TransactionMismatch unless `t` is about `row` (and, when paid, for its total). */
export function checkTransaction(
  ours: { appId: string; mchId: string },
  row: { order_no: string; total: number; sub_mchid: string | null; pay_appid: string | null },
  t: Transaction,
): void {
  const { mchId } = ours;
  // Paid under the AppID the order was bound to (null: the owner app), or it is not its payment.
  const appId = row.pay_appid ?? ours.appId;
  if (t.appid !== appId) throw new TransactionMismatch(`appid ${t.appid} is not the order's`);
  if (t.mchid !== mchId) throw new TransactionMismatch(`mchid ${t.mchid} is not ours`);
  // Partner mode: paid into the order's own sub-merchant, or it is not this order's payment.
  if ((t.sub_mchid ?? null) !== row.sub_mchid)
    throw new TransactionMismatch(`sub_mchid ${String(t.sub_mchid)} is not the order's`);
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

export class Settlement {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly records: OrderRecords,
  ) {}

  private get orders() {
    return this.ctx.storage.orders;
  }

  /**
   * Asks WeChat for the order's state and applies it. Rate-limited per order unless forced;
   * orders never sent to WeChat are answered as they are. `row` is the caller's fresh read.
   */
  async refresh(row: OrderRow, force = false): Promise<OrderRow> {
    const orderNo = row.order_no;
    if (row.status !== 'pending' || row.prepay_id === null) return row;
    const now = this.ctx.clock.now();
    const claimed = await this.orders.claimQuery(
      orderNo,
      now,
      force ? null : this.ctx.config.orderQueryIntervalMs,
    );
    if (!force && !claimed) return row;
    const tx = await this.ctx.pay.query(orderRef(row));
    await this.applyTransaction(row, tx);
    return this.records.get(orderNo);
  }

  /**
   * Applies WeChat's account of a payment after checking it is about this order, and says which
   * way it went.
   */
  async applyTransaction(
    row: OrderRow,
    t: Transaction,
    at?: number,
  ): Promise<'closed' | 'paid' | 'pending'> {
    checkTransaction(this.ctx.pay.identity, row, t);
    const now = at ?? this.ctx.clock.now();
    if (t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND') {
      await this.markPaid(row.order_no, t, now);
      return 'paid';
    }
    if (t.trade_state === 'CLOSED' || t.trade_state === 'REVOKED') {
      await this.orders.closePending(row.order_no, now);
      return 'closed';
    }
    return 'pending';
  }

  /** A payment that raced a close still wins: closed → paid is allowed, paid twice is a no-op. */
  async markPaid(orderNo: string, t: Transaction, now: number): Promise<boolean> {
    const changed = await this.orders.moveStatus(orderNo, PAYABLE_INTO_PAID, paidValues(t, now));
    if (changed) this.paidLog(orderNo, t);
    return changed;
  }

  paidLog(orderNo: string, t: Transaction): void {
    this.ctx.logger.info({ orderNo, transactionId: t.transaction_id }, 'order paid');
  }

  /** Close flow for an expired pending order: close through WeChat, then query to confirm. */
  async closeExpired(row: OrderRow): Promise<'closed' | 'paid' | 'pending'> {
    const now = this.ctx.clock.now();
    if (row.prepay_id === null) {
      const closed = await this.orders.closePending(row.order_no, now, true);
      return closed ? 'closed' : 'pending';
    }
    try {
      const closed = await this.ctx.pay.close(orderRef(row));
      if (closed === 'deferred') {
        this.ctx.logger.debug({ orderNo: row.order_no }, 'close deferred by the scheme');
      }
    } catch (err) {
      // Paid orders refuse to close; the query below tells which case this is.
      if (!isVerifiedAnswer(err)) throw err;
    }
    let t: Transaction;
    try {
      t = await this.ctx.pay.query(orderRef(row));
    } catch (err) {
      if (isNotFound(err)) {
        await this.orders.closePending(row.order_no, now);
        return 'closed';
      }
      throw err;
    }
    return this.applyTransaction(row, t, now);
  }
}
