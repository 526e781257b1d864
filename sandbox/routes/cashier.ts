import { Type, type Static } from 'typebox';
import type { App, SandboxContext } from '../context';
import { paySignMessage, verifyRsaSha256 } from '../crypto/sign';
import { transactionId } from '../ids';
import type { CashierEvent, CashierResultKind, Order, Prepay } from '../store';
import { isPayable, partnerTransactionView, PREPAY_LIFETIME_MS, transactionView } from '../trade';
import { v2PaymentNotification } from '../v2/notifications';
import { isV2SignType, v2PaySignFields, v2SignMatches } from '../v2/sign';

/** The detail strings the sandbox's cashier puts after `requestPayment:fail `. */
export const CASHIER_FAIL = {
  sign: '支付验证签名失败',
  prepay: 'prepay_id无效',
  prepayExpired: 'prepay_id已过期',
  appid: '调用支付的appid与下单appid不一致',
  payer: '下单账号与支付账号不一致，请核实后再支付',
  paid: '该订单已支付',
  closed: '该订单已关闭',
  expired: '订单已过期',
  payError: '支付失败',
} as const;

const CashierBody = Type.Object(
  {
    appid: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    openid: Type.String({ minLength: 1, maxLength: 128 }),
    outcome: Type.Union([Type.Literal('success'), Type.Literal('cancel'), Type.Literal('fail')]),
    requestPaymentArgs: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: false },
);

function typeName(v: unknown): string {
  if (v === undefined) return 'Undefined';
  if (v === null) return 'Null';
  if (Array.isArray(v)) return 'Array';
  const t = typeof v;
  return t.charAt(0).toUpperCase() + t.slice(1);
}

export interface CashierResult {
  errMsg: string;
  /** Sandbox-only hint of which rule failed (WeChat gives no more than errMsg). */
  reason?: string;
}

type CashierBodyType = Static<typeof CashierBody>;

interface CashierDecision {
  result: CashierResult;
  kind: CashierResultKind;
}

/** What the WeChat client does on wx.requestPayment, then the user's choice at the cashier. */
export function cashierRoutes(app: App, ctx: SandboxContext): void {
  app.post(
    '/sandbox/cashier/pay',
    { schema: { body: CashierBody } },
    async (req): Promise<CashierResult> => {
      const decision = decide(ctx, req.body);
      recordOnOrder(ctx, req.body, decision);
      return decision.result;
    },
  );
}

/** The prepay_id named by requestPayment's `package`, if it is one the sandbox handed out. */
function prepayOf(ctx: SandboxContext, pkg: unknown): Prepay | undefined {
  if (typeof pkg !== 'string') return undefined;
  const match = /^prepay_id=(\S+)$/.exec(pkg);
  return match?.[1] === undefined ? undefined : ctx.store.prepays.get(match[1]);
}

function decide(ctx: SandboxContext, body: CashierBodyType): CashierDecision {
  const args = body.requestPaymentArgs as Record<string, unknown>;
  const fail = (detail: string, reason?: string): CashierDecision => ({
    kind: 'refused',
    result:
      reason === undefined
        ? { errMsg: `requestPayment:fail ${detail}` }
        : { errMsg: `requestPayment:fail ${detail}`, reason },
  });
  // The base library checks argument types before anything reaches WeChat.
  const missing: string[] = [];
  for (const key of ['timeStamp', 'nonceStr', 'package', 'paySign']) {
    if (typeof args[key] !== 'string') {
      missing.push(`parameter.${key} should be String instead of ${typeName(args[key])};`);
    }
  }
  if (missing.length > 0) return fail(`parameter error: ${missing.join(' ')}`);
  const timeStamp = args.timeStamp as string;
  const nonceStr = args.nonceStr as string;
  const pkg = args.package as string;
  const paySign = args.paySign as string;
  const appid = body.appid ?? ctx.keys.credentials.appId;

  const signType = args.signType;
  if (signType !== 'RSA' && !isV2SignType(signType)) {
    return fail(CASHIER_FAIL.sign, 'signType must be "RSA" (API v3) or "MD5" / "HMAC-SHA256" (v2)');
  }
  const prepay = prepayOf(ctx, pkg);
  if (prepay === undefined)
    return fail(CASHIER_FAIL.prepay, 'package is not prepay_id=<a known prepay_id>');
  const order = ctx.store.orders.get(prepay.outTradeNo) as Order;
  if (order.scheme === 'v2') {
    // A v2 order is paid with the v2 rule: the order's own sign_type, keyed with the APIv2 key.
    if (signType !== order.signType) {
      return fail(
        CASHIER_FAIL.sign,
        `signType must be the order's sign_type ${order.signType ?? 'MD5'}`,
      );
    }
    const fields = v2PaySignFields(appid, timeStamp, nonceStr, pkg, signType);
    if (!v2SignMatches(fields, ctx.keys.credentials.apiV2Key, signType, paySign)) {
      return fail(
        CASHIER_FAIL.sign,
        `paySign is not the ${signType} of appId, nonceStr, package, signType, timeStamp with the APIv2 key`,
      );
    }
  } else {
    if (signType !== 'RSA') return fail(CASHIER_FAIL.sign, 'signType must be "RSA" for API v3');
    const message = paySignMessage(appid, timeStamp, nonceStr, pkg);
    if (!verifyRsaSha256(message, paySign, ctx.keys.merchantPublicKey)) {
      return fail(
        CASHIER_FAIL.sign,
        'paySign does not verify over appId\\ntimeStamp\\nnonceStr\\npackage\\n',
      );
    }
  }
  const now = ctx.clock.now();
  if (order.appid !== appid) return fail(CASHIER_FAIL.appid);
  if (now - prepay.createdAt >= PREPAY_LIFETIME_MS) return fail(CASHIER_FAIL.prepayExpired);
  if (order.payerOpenid !== body.openid) return fail(CASHIER_FAIL.payer);
  if (order.state === 'SUCCESS' || order.state === 'REFUND') return fail(CASHIER_FAIL.paid);
  if (order.state === 'CLOSED') return fail(CASHIER_FAIL.closed);
  if (!isPayable(order, now)) return fail(CASHIER_FAIL.expired, 'time_expire has passed');

  switch (body.outcome) {
    case 'cancel':
      return { kind: 'cancelled', result: { errMsg: 'requestPayment:fail cancel' } };
    case 'fail':
      order.state = 'PAYERROR';
      return { kind: 'failed', result: { errMsg: `requestPayment:fail ${CASHIER_FAIL.payError}` } };
    case 'success':
      markPaid(ctx, order, now);
      return { kind: 'paid', result: { errMsg: 'requestPayment:ok' } };
  }
}

/**
 * Every call that names a known prepay_id is kept on its order, refused ones included: a cancel
 * or a failed check changes nothing else, and the inspection page should still show it happened.
 * Calls naming no known prepay_id belong to no order and stay unrecorded.
 */
function recordOnOrder(
  ctx: SandboxContext,
  body: CashierBodyType,
  decision: CashierDecision,
): void {
  const prepay = prepayOf(ctx, (body.requestPaymentArgs as Record<string, unknown>).package);
  const order = prepay === undefined ? undefined : ctx.store.orders.get(prepay.outTradeNo);
  if (prepay === undefined || order === undefined) return;
  const event: CashierEvent = {
    at: ctx.clock.now(),
    openid: body.openid,
    appid: body.appid ?? ctx.keys.credentials.appId,
    prepayId: prepay.id,
    requested: body.outcome,
    result: decision.kind,
    errMsg: decision.result.errMsg,
  };
  if (decision.result.reason !== undefined) event.reason = decision.result.reason;
  ctx.store.recordCashier(order, event);
}

function markPaid(ctx: SandboxContext, order: Order, now: number): void {
  order.state = 'SUCCESS';
  order.transactionId = transactionId(now);
  order.successTime = now;
  order.payerTotal = order.total;
  if (order.scheme === 'v2') {
    ctx.notifier.enqueue(v2PaymentNotification(ctx, order));
    return;
  }
  ctx.notifier.enqueue({
    eventType: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    originalType: 'transaction',
    plaintext: order.partner === undefined ? transactionView(order) : partnerTransactionView(order),
    url: order.notifyUrl,
    outTradeNo: order.outTradeNo,
  });
}
