/**
 * Refunds: record one (row lock on PostgreSQL, never more than what is left), ask WeChat, and
 * apply its answer, the refund notification's or the refund job's query, exactly once.
 */
import { sql } from 'kysely';
import type { RefundResponse } from '../../typings/api';
import { ApiFailure, notFound } from '../errors';
import { isNotFound, isRefused } from '../wechat/pay/errors';
import type { RefundStatus } from '../wechat/pay/types';
import type { ServiceContext } from './context';
import { newRefundNo } from './ids';
import { upstream } from './upstream';

export class Refunds {
  constructor(private readonly ctx: ServiceContext) {}

  private get db() {
    return this.ctx.storage.db;
  }

  async refund(
    orderNo: string,
    amount: number | undefined,
    reason: string | undefined,
  ): Promise<RefundResponse> {
    const now = this.ctx.clock.now();
    const outRefundNo = newRefundNo(now);
    // Short transaction: lock the order row (PostgreSQL), check what is left, record the refund.
    const { row, refundAmount } = await this.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('orders').selectAll().where('order_no', '=', orderNo);
      if (this.ctx.storage.dialect === 'postgres') q = q.forUpdate();
      const order = await q.executeTakeFirst();
      if (!order) throw notFound(`order ${orderNo}`);
      if (order.status !== 'paid') {
        throw new ApiFailure(
          400,
          'VALIDATION_ERROR',
          `order ${orderNo} is ${order.status}: only paid orders can be refunded`,
        );
      }
      const committed = await trx
        .selectFrom('refunds')
        .select(sql<number>`coalesce(sum(amount), 0)`.as('sum'))
        .where('order_no', '=', orderNo)
        .where('status', 'in', ['processing', 'success'])
        .executeTakeFirstOrThrow();
      const left = order.total - Number(committed.sum);
      const want = amount ?? left;
      if (want < 1 || want > left) {
        throw new ApiFailure(
          400,
          'VALIDATION_ERROR',
          `refund amount must be between 1 and ${left} fen`,
        );
      }
      await trx
        .insertInto('refunds')
        .values({
          out_refund_no: outRefundNo,
          order_no: orderNo,
          amount: want,
          status: 'processing',
          reason: reason ?? null,
          refund_id: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return { row: order, refundAmount: want };
    });
    let status: RefundStatus;
    try {
      const r = await this.ctx.pay.refund({
        orderNo,
        outRefundNo,
        amount: refundAmount,
        total: row.total,
        ...(reason ? { reason } : {}),
      });
      status = r.status;
      if (r.refundId) {
        await this.db
          .updateTable('refunds')
          .set({ refund_id: r.refundId })
          .where('out_refund_no', '=', outRefundNo)
          .execute();
      }
    } catch (err) {
      if (isRefused(err)) {
        await this.setRefundStatus(outRefundNo, 'CLOSED');
      }
      throw upstream(err);
    }
    await this.setRefundStatus(outRefundNo, status);
    return { orderNo, outRefundNo, amount: refundAmount, status: refundStatusName(status) };
  }

  /** Asks WeChat about a refund still processing (lost notification or lost answer). */
  async refreshRefund(outRefundNo: string): Promise<void> {
    try {
      const r = await this.ctx.pay.queryRefund(outRefundNo);
      await this.setRefundStatus(outRefundNo, r.status);
    } catch (err) {
      // Never created at WeChat (the request was lost before it arrived): nothing to wait for.
      if (isNotFound(err)) {
        await this.setRefundStatus(outRefundNo, 'CLOSED');
        return;
      }
      throw err;
    }
  }

  /** Idempotent: a refund counts toward the order once, however many times SUCCESS arrives. */
  async setRefundStatus(outRefundNo: string, status: RefundStatus): Promise<boolean> {
    const name = refundStatusName(status);
    const now = this.ctx.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('refunds')
        .set({ status: name, updated_at: now })
        .where('out_refund_no', '=', outRefundNo)
        .where('status', 'in', ['processing', 'abnormal'])
        .where('status', '!=', name)
        .returning(['order_no', 'amount'])
        .executeTakeFirst();
      if (!r) return false;
      if (name === 'success') {
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
}

export function refundStatusName(s: RefundStatus): RefundResponse['status'] {
  switch (s) {
    case 'SUCCESS':
      return 'success';
    case 'CLOSED':
      return 'closed';
    case 'ABNORMAL':
      return 'abnormal';
    default:
      return 'processing';
  }
}
