/**
 * The refunds table, and the two refund steps that must also touch the order atomically:
 * recording a refund against what is left of the order (the order row locked on PostgreSQL;
 * SQLite serialises writers), and settling one into the order's refunded total exactly once.
 */
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { OrderRow } from './orders';
import { Repository } from './repository';
import type { RefundsTable } from './schema';

export type RefundRow = Selectable<RefundsTable>;
export type RefundStatusName = RefundRow['status'];

/** Still open at WeChat: the states a refund may leave. */
const OPEN: RefundStatusName[] = ['processing', 'abnormal'];

/** What an order can still refund, and how much of the rest waits on WeChat's answer. */
export interface RefundableAmounts {
  /** Total minus refunds succeeded or still processing. */
  left: number;
  /** Refunds still processing: they may yet close and free their amount. */
  processing: number;
}

export class RefundsRepository extends Repository {
  find(outRefundNo: string): Promise<RefundRow | undefined> {
    return this.db
      .selectFrom('refunds')
      .selectAll()
      .where('out_refund_no', '=', outRefundNo)
      .executeTakeFirst();
  }

  /** Partner mode: the sub-merchant of the refund's order (null when none or unknown). */
  async subMchIdOf(outRefundNo: string): Promise<string | null> {
    return (await this.orderKeysOf(outRefundNo)).subMchId;
  }

  /**
   * How WeChat names the refund's order: its sub-merchant (partner mode) and the AppID it was
   * placed under (API v2 sends it; null: the owner app, or the refund is unknown).
   */
  async orderKeysOf(
    outRefundNo: string,
  ): Promise<{ subMchId: string | null; payAppId: string | null }> {
    const r = await this.db
      .selectFrom('refunds')
      .innerJoin('orders', 'orders.order_no', 'refunds.order_no')
      .select(['orders.sub_mchid', 'orders.pay_appid'])
      .where('refunds.out_refund_no', '=', outRefundNo)
      .executeTakeFirst();
    return { subMchId: r?.sub_mchid ?? null, payAppId: r?.pay_appid ?? null };
  }

  /**
   * In one short transaction: reads the order (locked), lets `decide` pick an amount from the
   * order and what is left unrefunded (it throws to refuse), and records the refund as
   * processing. Returns the order as read and the amount recorded.
   */
  recordAgainstOrder(
    orderNo: string,
    decide: (order: OrderRow | undefined, amounts: RefundableAmounts) => number,
    refund: { outRefundNo: string; reason: string | null; now: number },
  ): Promise<{ order: OrderRow; amount: number }> {
    return this.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('orders').selectAll().where('order_no', '=', orderNo);
      if (this.dialect === 'postgres') q = q.forUpdate();
      const order = await q.executeTakeFirst();
      const amounts: RefundableAmounts = { left: 0, processing: 0 };
      if (order) {
        const sums = await trx
          .selectFrom('refunds')
          .select([
            sql<number>`coalesce(sum(amount), 0)`.as('committed'),
            sql<number>`coalesce(sum(case when status = 'processing' then amount else 0 end), 0)`.as(
              'processing',
            ),
          ])
          .where('order_no', '=', orderNo)
          .where('status', 'in', ['processing', 'success'])
          .executeTakeFirstOrThrow();
        amounts.left = order.total - Number(sums.committed);
        amounts.processing = Number(sums.processing);
      }
      const amount = decide(order, amounts);
      if (!order) throw new Error(`decide accepted a refund of unknown order ${orderNo}`);
      await trx
        .insertInto('refunds')
        .values({
          out_refund_no: refund.outRefundNo,
          order_no: orderNo,
          amount,
          status: 'processing',
          reason: refund.reason,
          refund_id: null,
          created_at: refund.now,
          updated_at: refund.now,
        })
        .execute();
      return { order, amount };
    });
  }

  async setRefundId(outRefundNo: string, refundId: string): Promise<void> {
    await this.db
      .updateTable('refunds')
      .set({ refund_id: refundId })
      .where('out_refund_no', '=', outRefundNo)
      .execute();
  }

  /**
   * Moves an open refund to `status`; on success adds it to the order's refunded total (and
   * marks the order refunded when nothing is left), in the same transaction. False when the
   * refund had already left the open states or already had this status.
   */
  settle(outRefundNo: string, status: RefundStatusName, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('refunds')
        .set({ status, updated_at: now })
        .where('out_refund_no', '=', outRefundNo)
        .where('status', 'in', OPEN)
        .where('status', '!=', status)
        .returning(['order_no', 'amount'])
        .executeTakeFirst();
      if (!r) return false;
      if (status === 'success') {
        await trx
          .updateTable('orders')
          .set({
            refunded: sql<number>`refunded + ${r.amount}`,
            status: sql<
              'paid' | 'refunded'
            >`case when refunded + ${r.amount} >= total then 'refunded' else status end`,
            updated_at: now,
          })
          .where('order_no', '=', r.order_no)
          .execute();
      }
      return true;
    });
  }

  /** This order's refunds still processing, oldest first. */
  async processingOf(orderNo: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('refunds')
      .select('out_refund_no')
      .where('order_no', '=', orderNo)
      .where('status', '=', 'processing')
      .orderBy('created_at')
      .execute();
    return rows.map((r) => r.out_refund_no);
  }

  /** Refunds still processing whose last look is older than `before`, oldest first. */
  async dueProcessing(before: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('refunds')
      .select('out_refund_no')
      .where('status', '=', 'processing')
      .where('updated_at', '<=', before)
      .orderBy('updated_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.out_refund_no);
  }

  /** Pushes a processing refund's next look back: its last look is now. */
  async touchProcessing(outRefundNo: string, now: number): Promise<void> {
    await this.db
      .updateTable('refunds')
      .set({ updated_at: now })
      .where('out_refund_no', '=', outRefundNo)
      .where('status', '=', 'processing')
      .execute();
  }
}
