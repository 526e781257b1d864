import { Type } from 'typebox';
import type { App, SandboxContext } from '../context';
import { canonicalJson, notifyUrlProblem } from '../canonical';
import { invalidRequest, paramError, WechatPayError } from '../http/errors';
import { refundId } from '../ids';
import type { Order, Refund } from '../store';
import { refundNotifyView, refundView } from '../trade';
import { MAX_TOTAL_FEN, OUT_TRADE_NO_PATTERN } from './transactions';

/** Sandbox seconds a refund stays PROCESSING before it succeeds (scaled by timeScale). */
export const REFUND_SETTLE_S = 5;
const OUT_REFUND_NO_PATTERN = '^[A-Za-z0-9_\\-*|@]{1,64}$';

const RefundBody = Type.Object({
  transaction_id: Type.Optional(Type.String({ pattern: '^[0-9]{1,32}$' })),
  out_trade_no: Type.Optional(Type.String({ pattern: OUT_TRADE_NO_PATTERN })),
  out_refund_no: Type.String({ pattern: OUT_REFUND_NO_PATTERN }),
  reason: Type.Optional(Type.String({ maxLength: 80 })),
  notify_url: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  funds_account: Type.Optional(Type.Literal('AVAILABLE')),
  amount: Type.Object({
    refund: Type.Integer({ minimum: 1, maximum: MAX_TOTAL_FEN }),
    total: Type.Integer({ minimum: 1, maximum: MAX_TOTAL_FEN }),
    currency: Type.Literal('CNY'),
    from: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  }),
  goods_detail: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
});

export function refundRoutes(app: App, ctx: SandboxContext): void {
  app.post(
    '/v3/refund/domestic/refunds',
    { schema: { body: RefundBody }, config: { endpoint: 'refund' } },
    async (req) => {
      const body = req.body;
      if (body.out_trade_no === undefined && body.transaction_id === undefined) {
        throw paramError('transaction_id和out_trade_no必须二选一', {
          field: '#/properties/out_trade_no',
          location: 'body',
        });
      }
      if (body.notify_url !== undefined) {
        const problem = notifyUrlProblem(body.notify_url);
        if (problem)
          throw paramError(problem, { field: '#/properties/notify_url', location: 'body' });
      }
      const order = findOrder(ctx, body.out_trade_no, body.transaction_id);
      if (order === undefined || order.transactionId === undefined) {
        if (order !== undefined) throw invalidRequest('订单未支付，不能退款');
        throw new WechatPayError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
      }
      const paramsKey = canonicalJson({
        ...body,
        out_trade_no: order.outTradeNo,
        transaction_id: undefined,
      });
      const existing = ctx.store.refunds.get(body.out_refund_no);
      if (existing !== undefined) {
        if (existing.paramsKey !== paramsKey) {
          throw invalidRequest('退款单号已存在，且与本次请求的参数不一致');
        }
        return refundView(existing);
      }
      if (body.amount.total !== order.total) {
        throw paramError('订单金额与原订单金额不一致', {
          field: '#/properties/amount/properties/total',
          location: 'body',
        });
      }
      const refunded = order.refundNos
        .map((no) => ctx.store.refunds.get(no))
        .filter(
          (r): r is Refund => r !== undefined && r.status !== 'CLOSED' && r.status !== 'ABNORMAL',
        )
        .reduce((sum, r) => sum + r.refund, 0);
      if (body.amount.refund > order.total - refunded) {
        throw invalidRequest('申请退款金额超过订单可退金额');
      }
      const now = ctx.clock.now();
      const refund: Refund = {
        refundId: refundId(now),
        outRefundNo: body.out_refund_no,
        outTradeNo: order.outTradeNo,
        transactionId: order.transactionId,
        refund: body.amount.refund,
        total: order.total,
        currency: body.amount.currency,
        paramsKey,
        status: 'PROCESSING',
        createdAt: now,
      };
      if (body.reason !== undefined) refund.reason = body.reason;
      if (body.notify_url !== undefined) refund.notifyUrl = body.notify_url;
      ctx.store.refunds.set(refund.outRefundNo, refund);
      order.refundNos.push(refund.outRefundNo);
      order.state = 'REFUND';
      ctx.scheduler.after(REFUND_SETTLE_S, () => settleRefund(ctx, order, refund));
      return refundView(refund);
    },
  );

  app.get(
    '/v3/refund/domestic/refunds/:out_refund_no',
    {
      schema: {
        params: Type.Object({ out_refund_no: Type.String({ pattern: OUT_REFUND_NO_PATTERN }) }),
        querystring: Type.Object({ sub_mchid: Type.Optional(Type.String({ maxLength: 32 })) }),
      },
      config: { endpoint: 'refund-query' },
    },
    async (req) => {
      const refund = ctx.store.refunds.get(req.params.out_refund_no);
      if (refund === undefined)
        throw new WechatPayError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      return refundView(refund);
    },
  );
}

function findOrder(
  ctx: SandboxContext,
  outTradeNo: string | undefined,
  transactionId: string | undefined,
): Order | undefined {
  if (outTradeNo !== undefined) {
    const order = ctx.store.orders.get(outTradeNo);
    if (
      order !== undefined &&
      transactionId !== undefined &&
      order.transactionId !== transactionId
    ) {
      return undefined;
    }
    return order;
  }
  return transactionId === undefined ? undefined : ctx.store.orderByTransactionId(transactionId);
}

/** PROCESSING → SUCCESS, then REFUND.SUCCESS to the refund's notify_url (if it gave one). */
export function settleRefund(ctx: SandboxContext, order: Order, refund: Refund): void {
  if (refund.status !== 'PROCESSING') return;
  refund.status = 'SUCCESS';
  refund.successTime = ctx.clock.now();
  if (refund.notifyUrl === undefined) return;
  const notify = {
    eventType: 'REFUND.SUCCESS',
    summary: '退款成功',
    originalType: 'refund' as const,
    plaintext: refundNotifyView(refund, order.mchid),
    url: refund.notifyUrl,
    outTradeNo: order.outTradeNo,
    outRefundNo: refund.outRefundNo,
  };
  ctx.notifier.enqueue(notify);
}
