import type { FastifyRequest } from 'fastify';
import { TLSSocket } from 'node:tls';
import { canonicalJson, notifyUrlProblem } from '../canonical';
import type { SandboxContext } from '../context';
import { placeRefund } from '../refund-place';
import type { Refund } from '../store';
import { v2RefundQueryFields } from '../v2/views';
import { v2Fail, type V2Call, type V2Endpoint, type V2Outcome } from '../v2/wire';
import { directOrder } from './transactions';
import { isFen, v2FindOrder, v2OrderUnderOtherAppid } from './v2-common';

export const NEED_CLIENT_CERT = '该接口需要商户API证书（双向TLS），请通过沙箱的TLS地址调用';
export const CERT_REJECTED = '证书验证失败';
const V2_OUT_REFUND_NO = /^[A-Za-z0-9_\-*|@]{1,64}$/;
/**
 * A refund whose appid is not the one its order was placed under. WeChat's exact err_code for
 * it is not documented (see README, open questions); merchants report this text for it.
 */
export const REFUND_APPID_MISMATCH = '您的请求参数与订单信息不一致';

/**
 * The TLS listener accepts any client certificate in the handshake, then pins: only the exact
 * bytes of apiclient_cert.pem pass (it is self-signed, so there is no chain to check). Refusals
 * are XML answers rather than failed handshakes, which a merchant can read and a test can assert.
 */
function clientCertProblem(ctx: SandboxContext, req: FastifyRequest): string | undefined {
  const socket = req.raw.socket;
  if (!(socket instanceof TLSSocket)) return NEED_CLIENT_CERT;
  const peer = socket.getPeerCertificate();
  const der = (peer as { raw?: Buffer }).raw;
  if (der === undefined || !der.equals(ctx.keys.merchantCertDer)) return CERT_REJECTED;
  return undefined;
}

function refundProblem(f: Record<string, string>): V2Outcome | undefined {
  const bad = (des: string): V2Outcome => v2Fail('PARAM_ERROR', des);
  if (!f.out_trade_no && !f.transaction_id) {
    return v2Fail('LACK_PARAMS', '缺少参数out_trade_no或transaction_id');
  }
  if (!V2_OUT_REFUND_NO.test(f.out_refund_no ?? '')) return bad('out_refund_no格式错误');
  if (!isFen(f.total_fee)) return bad('total_fee必须为正整数（分）');
  if (!isFen(f.refund_fee)) return bad('refund_fee必须为正整数（分）');
  if ((f.refund_desc ?? '').length > 80) return bad('refund_desc长度不能超过80');
  if (f.notify_url !== undefined) {
    const problem = notifyUrlProblem(f.notify_url);
    if (problem !== undefined) return bad(problem);
  }
  return undefined;
}

function refund(ctx: SandboxContext, { fields: f, signType }: V2Call): V2Outcome {
  const problem = refundProblem(f);
  if (problem !== undefined) return problem;
  const order = v2FindOrder(ctx, f);
  if (order === undefined) return v2Fail('ORDERNOTEXIST', '订单不存在');
  // Checked before any refund is placed or replayed: nothing is refunded under another appid.
  if (v2OrderUnderOtherAppid(order, f)) return v2Fail('INVALID_REQUEST', REFUND_APPID_MISMATCH);
  const result = placeRefund(ctx, order, {
    scheme: 'v2',
    outRefundNo: f.out_refund_no ?? '',
    refund: Number(f.refund_fee),
    total: Number(f.total_fee),
    paramsKey: canonicalJson({
      ...f,
      nonce_str: undefined,
      sign: undefined,
      sign_type: signType,
      out_trade_no: order.outTradeNo,
      transaction_id: undefined,
    }),
    ...(f.refund_desc ? { reason: f.refund_desc } : {}),
    ...(f.notify_url ? { notifyUrl: f.notify_url } : {}),
  });
  switch (result.kind) {
    case 'refund': {
      const r = result.refund;
      return {
        ok: {
          transaction_id: r.transactionId,
          out_trade_no: r.outTradeNo,
          out_refund_no: r.outRefundNo,
          refund_id: r.refundId,
          refund_fee: String(r.refund),
          total_fee: String(r.total),
          cash_fee: String(r.total),
        },
      };
    }
    case 'unpaid':
      return v2Fail('TRADE_STATE_ERROR', '订单未支付，不能退款');
    case 'conflict':
      return v2Fail('INVALID_REQUEST', '退款单号已存在，且与本次请求的参数不一致');
    case 'totalMismatch':
      return v2Fail('PARAM_ERROR', '订单金额与原订单金额不一致');
    case 'over':
      return v2Fail('INVALID_REQUEST', '累计退款金额大于支付金额');
  }
}

/** The refunds the call names, of direct orders placed under the call's appid only. */
function refundsOf(ctx: SandboxContext, f: Record<string, string>): Refund[] {
  const ofDirect = (r: Refund | undefined): r is Refund => {
    if (r === undefined) return false;
    const order = directOrder(ctx, ctx.store.orders.get(r.outTradeNo));
    return order !== undefined && !v2OrderUnderOtherAppid(order, f);
  };
  if (f.out_refund_no) return [ctx.store.refunds.get(f.out_refund_no)].filter(ofDirect);
  if (f.refund_id)
    return [...ctx.store.refunds.values()]
      .filter((r) => r.refundId === f.refund_id)
      .filter(ofDirect);
  const order = v2FindOrder(ctx, f);
  return (order?.refundNos ?? []).map((no) => ctx.store.refunds.get(no)).filter(ofDirect);
}

function refundQuery(ctx: SandboxContext, { fields: f }: V2Call): V2Outcome {
  if (!f.out_refund_no && !f.refund_id && !f.out_trade_no && !f.transaction_id) {
    return v2Fail('LACK_PARAMS', '缺少参数out_refund_no、out_trade_no、transaction_id或refund_id');
  }
  const refunds = refundsOf(ctx, f);
  const first = refunds[0];
  if (first === undefined) return v2Fail('REFUNDNOTEXIST', '退款订单查询失败');
  return {
    ok: {
      out_trade_no: first.outTradeNo,
      transaction_id: first.transactionId,
      total_fee: String(first.total),
      cash_fee: String(first.total),
      refund_count: String(refunds.length),
      ...Object.assign({}, ...refunds.map((r, n) => v2RefundQueryFields(r, n))),
    },
  };
}

export function v2RefundEndpoints(ctx: SandboxContext): V2Endpoint[] {
  return [
    {
      url: '/secapi/pay/refund',
      endpoint: 'refund',
      required: ['out_refund_no', 'total_fee', 'refund_fee'],
      gate: (req) => clientCertProblem(ctx, req),
      handle: (call) => refund(ctx, call),
    },
    {
      url: '/pay/refundquery',
      endpoint: 'refund-query',
      required: [],
      handle: (call) => refundQuery(ctx, call),
    },
  ];
}
