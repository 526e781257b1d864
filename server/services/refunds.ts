/**
 * Refunds: record one (never more than what is left: db/refunds.ts), ask WeChat, and
 * apply its answer, the refund notification's or the refund job's query, exactly once.
 */
import type { RefundResponse } from '../../typings/api';
import { ApiFailure, notFound } from '../errors';
import { isNotFound, isRefused } from '../wechat/pay/errors';
import type { RefundStatus } from '../wechat/pay/types';
import type { ServiceContext } from './context';
import { newRefundNo } from './ids';
import { upstream } from './upstream';

export class Refunds {
  constructor(private readonly ctx: ServiceContext) {}

  private get table() {
    return this.ctx.storage.refunds;
  }

  async refund(
    orderNo: string,
    amount: number | undefined,
    reason: string | undefined,
  ): Promise<RefundResponse> {
    // A refund still processing (its answer lost, WeChat failing) holds its amount: ask WeChat
    // about it first, so a retry sees the truth instead of an amount that is not really spent.
    await this.settleProcessing(orderNo);
    const now = this.ctx.clock.now();
    const outRefundNo = newRefundNo(now);
    const { order: row, amount: refundAmount } = await this.table.recordAgainstOrder(
      orderNo,
      (order, { left, processing }) => {
        if (!order) throw notFound(`order ${orderNo}`);
        if (order.status !== 'paid') {
          throw new ApiFailure(
            400,
            'VALIDATION_ERROR',
            `order ${orderNo} is ${order.status}: only paid orders can be refunded`,
          );
        }
        // WeChat never saw a jump-out payment: only the aggregator can return that money.
        if (order.channel === 'aggregator') {
          throw new ApiFailure(
            409,
            'CHANNEL_CONFLICT',
            `order ${orderNo} was paid through the aggregator: refund it at the aggregator`,
          );
        }
        const want = amount ?? left;
        if (want < 1 || want > left) {
          // Refunds WeChat has not answered for may yet free their amount: say so, not "too much".
          if (processing > 0) {
            throw new ApiFailure(
              409,
              'REFUND_IN_PROGRESS',
              `${processing} fen of this order's refunds are still being processed by WeChat; retry later`,
            );
          }
          throw new ApiFailure(
            400,
            'VALIDATION_ERROR',
            `refund amount must be between 1 and ${left} fen`,
          );
        }
        return want;
      },
      { outRefundNo, reason: reason ?? null, now },
    );
    let status: RefundStatus;
    try {
      const r = await this.ctx.pay.refund({
        orderNo,
        outRefundNo,
        amount: refundAmount,
        total: row.total,
        subMchId: row.sub_mchid,
        appId: row.pay_appid,
        ...(reason ? { reason } : {}),
      });
      status = r.status;
      if (r.refundId) {
        await this.table.setRefundId(outRefundNo, r.refundId);
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

  private async settleProcessing(orderNo: string): Promise<void> {
    for (const outRefundNo of await this.table.processingOf(orderNo)) {
      try {
        await this.refreshRefund(outRefundNo);
      } catch (err) {
        // WeChat still failing: the refund stays processing and the new one is refused as such.
        this.ctx.logger.warn(
          { outRefundNo, err: String(err) },
          'refund: could not ask about an earlier refund',
        );
      }
    }
  }

  /** Asks WeChat about a refund still processing (lost notification or lost answer). */
  async refreshRefund(outRefundNo: string): Promise<void> {
    try {
      const keys = await this.table.orderKeysOf(outRefundNo);
      const r = await this.ctx.pay.queryRefund({
        outRefundNo,
        // Partner mode asks under the order's sub-merchant; API v2 under the order's AppID.
        subMchId: this.ctx.config.payScheme === 'v3-partner' ? keys.subMchId : null,
        appId: keys.payAppId,
      });
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
    return this.table.settle(outRefundNo, refundStatusName(status), this.ctx.clock.now());
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
