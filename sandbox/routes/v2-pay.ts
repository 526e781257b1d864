import { isIP } from 'node:net';
import { canonicalJson, notifyUrlProblem } from '../canonical';
import type { App, SandboxContext } from '../context';
import { openidBelongsTo } from '../ids';
import { blankOrderState, openOrder } from '../order-open';
import type { Order } from '../store';
import { parseCompactBeijing } from '../v2/time';
import { v2OrderFields } from '../v2/views';
import { registerV2, v2Fail, type V2Call, type V2Outcome } from '../v2/wire';
import { directOrder } from './transactions';
import { isFen, v2FindOrder, v2OrderUnderOtherAppid } from './v2-common';
import { v2RefundEndpoints } from './v2-refunds';

/** WeChat's stated rule: an order cannot be closed within 5 minutes of its creation. */
export const V2_CLOSE_MIN_AGE_MS = 5 * 60_000;
export const V2_CLOSE_TOO_EARLY = '订单生成后不能马上调用关单接口，最短调用时间间隔为5分钟';
const V2_OUT_TRADE_NO = /^[A-Za-z0-9_\-*|]{1,32}$/;

const bytes = (s: string | undefined): number => Buffer.byteLength(s ?? '', 'utf8');

/** Field checks of unifiedorder, in WeChat's words; undefined when all pass. */
function unifiedOrderProblem(
  ctx: SandboxContext,
  f: Record<string, string>,
): V2Outcome | undefined {
  const bad = (des: string): V2Outcome => v2Fail('PARAM_ERROR', des);
  if (f.trade_type !== 'JSAPI') return bad('trade_type参数错误，沙箱仅支持JSAPI');
  if (f.fee_type !== undefined && f.fee_type !== 'CNY') return bad('fee_type参数错误，仅支持CNY');
  if (!isFen(f.total_fee)) return bad('total_fee必须为1到2147483647之间的整数（分）');
  if (bytes(f.body) > 128) return bad('body长度不能超过128字节');
  if (!V2_OUT_TRADE_NO.test(f.out_trade_no ?? '')) return bad('out_trade_no格式错误');
  if (bytes(f.attach) > 127) return bad('attach长度不能超过127字节');
  const urlProblem = notifyUrlProblem(f.notify_url ?? '');
  if (urlProblem !== undefined) return bad(urlProblem);
  if (isIP(f.spbill_create_ip ?? '') === 0) return bad('spbill_create_ip格式错误');
  if (f.time_expire !== undefined && parseCompactBeijing(f.time_expire) === undefined) {
    return bad('time_expire格式错误，应为yyyyMMddHHmmss');
  }
  if (!openidBelongsTo(ctx.keys.openidSalt, f.appid ?? '', f.openid ?? '')) {
    return bad('appid和openid不匹配');
  }
  return undefined;
}

function unifiedOrder(ctx: SandboxContext, { fields: f, signType }: V2Call): V2Outcome {
  const problem = unifiedOrderProblem(ctx, f);
  if (problem !== undefined) return problem;
  const timeExpireMs = f.time_expire === undefined ? undefined : parseCompactBeijing(f.time_expire);
  // Business fields only: nonce_str and sign change on every retry, and so may the payer's IP.
  const business = { ...f, nonce_str: undefined, sign: undefined, spbill_create_ip: undefined };
  const now = ctx.clock.now();
  const order: Order = {
    scheme: 'v2',
    signType,
    appid: f.appid ?? '',
    mchid: f.mch_id ?? '',
    outTradeNo: f.out_trade_no ?? '',
    description: f.body ?? '',
    notifyUrl: f.notify_url ?? '',
    total: Number(f.total_fee),
    currency: 'CNY',
    payerOpenid: f.openid ?? '',
    paramsKey: canonicalJson({ ...business, sign_type: signType, fee_type: 'CNY' }),
    ...blankOrderState(now),
  };
  if (f.attach !== undefined && f.attach !== '') order.attach = f.attach;
  if (f.time_expire !== undefined && timeExpireMs !== undefined) {
    order.timeExpire = f.time_expire;
    order.timeExpireMs = timeExpireMs;
  }
  const result = openOrder(ctx, order);
  switch (result.kind) {
    case 'prepay':
      return { ok: { trade_type: 'JSAPI', prepay_id: result.prepayId } };
    case 'conflict':
      return v2Fail('INVALID_REQUEST', '商户订单号重复，且与原订单参数不一致');
    case 'paid':
      return v2Fail('ORDERPAID', '该订单已支付');
    case 'closed':
      return v2Fail('ORDERCLOSED', '该订单已关闭');
    case 'pastExpire':
      return v2Fail('PARAM_ERROR', 'time_expire不能早于当前时间');
  }
}

function orderQuery(ctx: SandboxContext, { fields: f }: V2Call): V2Outcome {
  if (!f.out_trade_no && !f.transaction_id) {
    return v2Fail('LACK_PARAMS', '缺少参数out_trade_no或transaction_id');
  }
  const order = v2FindOrder(ctx, f);
  // Placed under another AppID (the owner's vs the cashier's): not an order of this appid.
  if (order === undefined || v2OrderUnderOtherAppid(order, f)) {
    return v2Fail('ORDERNOTEXIST', '此交易订单号不存在');
  }
  return { ok: v2OrderFields(order) };
}

/**
 * Closing an already closed order answers ORDERCLOSED (one of the codes the v2 close API lists),
 * where v3 answers 204; the 5-minute rule is checked after paid/closed. Like the query, an order
 * placed under another appid is not found.
 */
function closeOrder(ctx: SandboxContext, { fields: f }: V2Call): V2Outcome {
  const order = directOrder(ctx, ctx.store.orders.get(f.out_trade_no ?? ''));
  if (order === undefined || v2OrderUnderOtherAppid(order, f)) {
    return v2Fail('ORDERNOTEXIST', '此交易订单号不存在');
  }
  if (order.state === 'SUCCESS' || order.state === 'REFUND') {
    return v2Fail('ORDERPAID', '订单已支付，不能发起关单');
  }
  if (order.state === 'CLOSED') return v2Fail('ORDERCLOSED', '订单已关闭，无需重复关单');
  const now = ctx.clock.now();
  if (now - order.createdAt < V2_CLOSE_MIN_AGE_MS) return v2Fail('SYSTEMERROR', V2_CLOSE_TOO_EARLY);
  order.state = 'CLOSED';
  order.closedAt = now;
  return { ok: { result_msg: 'OK' } };
}

/** API v2 (XML). Both listeners route here; /secapi/pay/refund itself checks it came over mTLS. */
export function v2Routes(app: App, ctx: SandboxContext): void {
  registerV2(app, ctx, [
    {
      url: '/pay/unifiedorder',
      endpoint: 'jsapi',
      required: [
        'body',
        'out_trade_no',
        'total_fee',
        'spbill_create_ip',
        'notify_url',
        'trade_type',
        'openid',
      ],
      handle: (call) => unifiedOrder(ctx, call),
    },
    {
      url: '/pay/orderquery',
      endpoint: 'query',
      required: [],
      handle: (call) => orderQuery(ctx, call),
    },
    {
      url: '/pay/closeorder',
      endpoint: 'close',
      required: ['out_trade_no'],
      handle: (call) => closeOrder(ctx, call),
    },
    ...v2RefundEndpoints(ctx),
  ]);
}
