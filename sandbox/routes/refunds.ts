import { Type } from 'typebox';
import type { App, SandboxContext } from '../context';
import { canonicalJson, notifyUrlProblem } from '../canonical';
import { invalidRequest, paramError, WechatPayError } from '../http/errors';
import { placeRefund } from '../refund-place';
import type { Order, Refund } from '../store';
import { refundView } from '../trade';
import { MAX_TOTAL_FEN, OUT_TRADE_NO_PATTERN } from './transactions';

const OUT_REFUND_NO_PATTERN = '^[A-Za-z0-9_\\-*|@]{1,64}$';
const SUB_MCHID = Type.String({ minLength: 1, maxLength: 32 });

const RefundBody = Type.Object({
  sub_mchid: Type.Optional(SUB_MCHID),
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

/**
 * Whose orders the caller may refund: the direct merchant its own (sub_mchid is ignored), the
 * service provider those of the sub-merchant it names (sub_mchid required). Others read as unknown.
 */
function visibleTo(
  ctx: SandboxContext,
  authMchid: string | undefined,
  subMchid: string | undefined,
  order: Order | undefined,
): Order | undefined {
  if (order === undefined) return undefined;
  if (authMchid === ctx.keys.credentials.spMchId) {
    if (subMchid === undefined) {
      throw paramError('服务商模式下sub_mchid为必填项', {
        field: '#/properties/sub_mchid',
        location: 'body',
      });
    }
    return order.partner?.subMchid === subMchid ? order : undefined;
  }
  return order.partner === undefined ? order : undefined;
}

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
      const order = visibleTo(
        ctx,
        req.authMchid,
        body.sub_mchid,
        findOrder(ctx, body.out_trade_no, body.transaction_id),
      );
      if (order === undefined) throw new WechatPayError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
      const paramsKey = canonicalJson({
        ...body,
        // Ignored for direct orders, so it must not make a retry look different either.
        sub_mchid: order.partner === undefined ? undefined : body.sub_mchid,
        out_trade_no: order.outTradeNo,
        transaction_id: undefined,
      });
      const result = placeRefund(ctx, order, {
        scheme: 'v3',
        outRefundNo: body.out_refund_no,
        refund: body.amount.refund,
        total: body.amount.total,
        paramsKey,
        ...(body.reason === undefined ? {} : { reason: body.reason }),
        ...(body.notify_url === undefined ? {} : { notifyUrl: body.notify_url }),
      });
      switch (result.kind) {
        case 'refund':
          return refundView(result.refund);
        case 'unpaid':
          throw invalidRequest('订单未支付，不能退款');
        case 'conflict':
          throw invalidRequest('退款单号已存在，且与本次请求的参数不一致');
        case 'totalMismatch':
          throw paramError('订单金额与原订单金额不一致', {
            field: '#/properties/amount/properties/total',
            location: 'body',
          });
        case 'over':
          throw invalidRequest('申请退款金额超过订单可退金额');
      }
    },
  );

  app.get(
    '/v3/refund/domestic/refunds/:out_refund_no',
    {
      schema: {
        params: Type.Object({ out_refund_no: Type.String({ pattern: OUT_REFUND_NO_PATTERN }) }),
        querystring: Type.Object({ sub_mchid: Type.Optional(SUB_MCHID) }),
      },
      config: { endpoint: 'refund-query' },
    },
    async (req) => {
      const refund: Refund | undefined = ctx.store.refunds.get(req.params.out_refund_no);
      const order =
        refund === undefined
          ? undefined
          : visibleTo(
              ctx,
              req.authMchid,
              req.query.sub_mchid,
              ctx.store.orders.get(refund.outTradeNo),
            );
      if (refund === undefined || order === undefined)
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
