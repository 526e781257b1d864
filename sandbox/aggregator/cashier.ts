/**
 * What the aggregator's cashier mini program does when a merchant's mini program opens it with
 * `extraData`: check the call, then take the user's choice. Only a payment changes anything; a
 * cancel, a failure or a refused call is recorded and nothing else.
 */
import { notifyUrlProblem } from '../canonical';
import type { SandboxContext } from '../context';
import { compactBeijing, openidFor, randomDigits, rfc3339Beijing, transactionId } from '../ids';
import type { AggregatorNotifier } from './notifier';
import { aggregatorSign, aggregatorSignMatches } from './sign';
import type {
  AggregatorCall,
  AggregatorOutcome,
  AggregatorPayment,
  AggregatorResult,
  AggregatorState,
} from './state';

export interface CashierRequest {
  appId: string;
  /** The payer; a stable default user of the cashier app when absent. */
  openid?: string;
  extraData: Record<string, unknown>;
  outcome: AggregatorOutcome;
}

export interface CashierAnswer {
  result: AggregatorResult;
  reason?: string;
  /**
   * What the cashier hands to wx.navigateBackMiniProgram. It says how the user left, nothing
   * more: anyone can open the merchant's app with any extraData, so it is never proof of payment.
   */
  backExtraData: { result: AggregatorResult; out_trade_no?: string };
}

const REQUIRED = ['mchid', 'total_fee', 'out_trade_no', 'body', 'notify_url', 'nonce', 'sign'];
const OUT_TRADE_NO = /^[A-Za-z0-9_-]{1,32}$/;
const NONCE = /^[A-Za-z0-9]{16,32}$/;
const TOTAL_FEE = /^[1-9]\d{0,10}$/;

export interface AggregatorDeps {
  ctx: SandboxContext;
  state: AggregatorState;
  notifier: AggregatorNotifier;
}

/** The fields as strings, or the reason they are not all strings. */
function stringFields(extra: Record<string, unknown>): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(extra)) {
    if (typeof v !== 'string') return `extraData.${k} must be a string`;
    out[k] = v;
  }
  const missing = REQUIRED.filter((k) => out[k] === undefined || out[k] === '');
  return missing.length > 0 ? `extraData lacks ${missing.join(', ')}` : out;
}

/** Why the call cannot go on to the user's choice, if it cannot. */
function refusal(deps: AggregatorDeps, req: CashierRequest, f: Record<string, string>) {
  const c = deps.ctx.keys.credentials;
  if (!aggregatorSignMatches(f, c.aggregatorKey, f.sign ?? ''))
    return 'sign does not match (MD5 over the sorted non-empty fields, then &key=)';
  if (f.mchid !== c.aggregatorMchId) return `mchid ${f.mchid ?? ''} is not a merchant here`;
  if (!TOTAL_FEE.test(f.total_fee ?? '')) return 'total_fee must be a positive integer (fen)';
  if (!NONCE.test(f.nonce ?? '')) return 'nonce must be 16-32 letters and digits';
  const urlProblem = notifyUrlProblem(f.notify_url ?? '');
  if (urlProblem !== undefined) return urlProblem;
  const paid = deps.state.orders.get(f.out_trade_no ?? '')?.payment;
  if (paid !== undefined && paid.totalFee !== Number(f.total_fee))
    return `out_trade_no was paid already with total_fee ${paid.totalFee}`;
  if (req.openid !== undefined && req.openid.length > 128) return 'openid is too long';
  return undefined;
}

export function openCashier(deps: AggregatorDeps, req: CashierRequest): CashierAnswer {
  const { ctx, state } = deps;
  const c = ctx.keys.credentials;
  const openid = req.openid ?? openidFor(ctx.keys.openidSalt, c.aggregatorAppId, 'cashier-user');
  const rawNo = req.extraData.out_trade_no;
  const outTradeNo = typeof rawNo === 'string' && OUT_TRADE_NO.test(rawNo) ? rawNo : undefined;
  const call: AggregatorCall = {
    seq: state.nextSeq(),
    at: ctx.clock.now(),
    appId: req.appId,
    openid,
    requested: req.outcome,
    result: 'refused',
  };
  if (outTradeNo !== undefined) call.outTradeNo = outTradeNo;
  if (typeof req.extraData.total_fee === 'string') call.totalFee = req.extraData.total_fee;
  const answer = (result: AggregatorResult, reason?: string): CashierAnswer => {
    call.result = result;
    if (reason !== undefined) call.reason = reason;
    state.recordCall(call);
    const back: CashierAnswer['backExtraData'] =
      outTradeNo === undefined ? { result } : { result, out_trade_no: outTradeNo };
    return reason === undefined
      ? { result, backExtraData: back }
      : { result, reason, backExtraData: back };
  };

  if (req.appId !== c.aggregatorAppId)
    return answer('refused', `appId ${req.appId} is not the aggregator's cashier`);
  const fields = stringFields(req.extraData);
  if (typeof fields === 'string') return answer('refused', fields);
  if (outTradeNo === undefined)
    return answer('refused', 'out_trade_no must be 1-32 letters, digits, _ or -');
  const problem = refusal(deps, req, fields);
  if (problem !== undefined) return answer('refused', problem);
  if (req.outcome === 'cancel') return answer('cancelled');
  if (req.outcome === 'fail') return answer('failed', 'the payment failed at WeChat');
  const order = state.order(outTradeNo);
  // Paying an order paid already is no second payment: the first one stands.
  if (order.payment !== undefined) return answer('paid', 'paid already; nothing charged again');
  order.payment = pay(deps, fields, openid);
  return answer('paid');
}

function pay(deps: AggregatorDeps, f: Record<string, string>, openid: string): AggregatorPayment {
  const now = deps.ctx.clock.now();
  const payment: AggregatorPayment = {
    payjsOrderId: `${compactBeijing(now)}${randomDigits(14)}`,
    transactionId: transactionId(now),
    totalFee: Number(f.total_fee),
    openid,
    paidAt: now,
    notifyUrl: f.notify_url ?? '',
  };
  if (f.attach !== undefined && f.attach !== '') payment.attach = f.attach;
  const form = notificationFields(deps, f.out_trade_no ?? '', payment);
  const key = deps.ctx.keys.credentials.aggregatorKey;
  const genuine = new URLSearchParams({ ...form, sign: aggregatorSign(form, key) }).toString();
  const forged = new URLSearchParams({ ...form, sign: aggregatorSign(form, `${key}x`) }).toString();
  deps.notifier.enqueue(f.out_trade_no ?? '', payment.notifyUrl, genuine, forged);
  return payment;
}

/** The notification's fields before signing; time_end is Beijing time, yyyy-MM-dd HH:mm:ss. */
function notificationFields(
  deps: AggregatorDeps,
  outTradeNo: string,
  p: AggregatorPayment,
): Record<string, string> {
  const fields: Record<string, string> = {
    return_code: '1',
    total_fee: String(p.totalFee),
    out_trade_no: outTradeNo,
    payjs_order_id: p.payjsOrderId,
    transaction_id: p.transactionId,
    time_end: rfc3339Beijing(p.paidAt).slice(0, 19).replace('T', ' '),
    openid: p.openid,
    mchid: deps.ctx.keys.credentials.aggregatorMchId,
  };
  if (p.attach !== undefined) fields.attach = p.attach;
  return fields;
}
