import { rfc3339Beijing } from './ids';
import type { Order, Refund, TradeState } from './store';

export const PREPAY_LIFETIME_MS = 2 * 3600_000;

export const TRADE_STATE_DESC: Record<TradeState, string> = {
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
  REVOKED: '已撤销（付款码支付）',
  USERPAYING: '用户支付中（付款码支付）',
  PAYERROR: '支付失败，请重新下单支付',
};

/** States from which the cashier may still take money. */
export function isPayable(order: Order, now: number): boolean {
  if (order.state !== 'NOTPAY' && order.state !== 'PAYERROR') return false;
  return order.timeExpireMs === undefined || now < order.timeExpireMs;
}

/** The transaction object of the query API and of TRANSACTION.* notifications. */
export function transactionView(order: Order): Record<string, unknown> {
  const paid = order.transactionId !== undefined;
  const view: Record<string, unknown> = {
    amount: paid
      ? {
          currency: order.currency,
          payer_currency: order.currency,
          payer_total: order.payerTotal ?? order.total,
          total: order.total,
        }
      : { currency: order.currency, payer_currency: order.currency, total: order.total },
    appid: order.appid,
    mchid: order.mchid,
    out_trade_no: order.outTradeNo,
    payer: { openid: order.payerOpenid },
    promotion_detail: [],
    trade_state: order.state,
    trade_state_desc: TRADE_STATE_DESC[order.state],
  };
  if (order.attach !== undefined) view.attach = order.attach;
  if (paid) {
    view.bank_type = 'OTHERS';
    view.success_time = rfc3339Beijing(order.successTime ?? order.createdAt);
    view.trade_type = 'JSAPI';
    view.transaction_id = order.transactionId;
  }
  return view;
}

/** The refund object of the refund create/query APIs. */
export function refundView(refund: Refund): Record<string, unknown> {
  const view: Record<string, unknown> = {
    amount: {
      currency: refund.currency,
      discount_refund: 0,
      from: [],
      payer_refund: refund.refund,
      payer_total: refund.total,
      refund: refund.refund,
      refund_fee: 0,
      settlement_refund: refund.refund,
      settlement_total: refund.total,
      total: refund.total,
    },
    channel: 'ORIGINAL',
    create_time: rfc3339Beijing(refund.createdAt),
    funds_account: 'AVAILABLE',
    out_refund_no: refund.outRefundNo,
    out_trade_no: refund.outTradeNo,
    promotion_detail: [],
    refund_id: refund.refundId,
    status: refund.status,
    transaction_id: refund.transactionId,
    user_received_account: '支付用户零钱',
  };
  if (refund.successTime !== undefined) view.success_time = rfc3339Beijing(refund.successTime);
  return view;
}

/** Plaintext of a REFUND.* notification (a flatter shape than the query answer). */
export function refundNotifyView(refund: Refund, mchid: string): Record<string, unknown> {
  const view: Record<string, unknown> = {
    amount: {
      payer_refund: refund.refund,
      payer_total: refund.total,
      refund: refund.refund,
      total: refund.total,
    },
    mchid,
    out_refund_no: refund.outRefundNo,
    out_trade_no: refund.outTradeNo,
    refund_id: refund.refundId,
    refund_status: refund.status,
    transaction_id: refund.transactionId,
    user_received_account: '支付用户零钱',
  };
  if (refund.successTime !== undefined) view.success_time = rfc3339Beijing(refund.successTime);
  return view;
}

/** The partner (service-provider) transaction of the partner query API and its notifications. */
export function partnerTransactionView(order: Order): Record<string, unknown> {
  const p = order.partner;
  if (p === undefined) throw new Error(`order ${order.outTradeNo} is not a partner order`);
  const direct = transactionView(order);
  const payer: Record<string, string> =
    p.payerKind === 'sp'
      ? { sp_openid: order.payerOpenid }
      : p.spOpenid === undefined
        ? { sub_openid: order.payerOpenid }
        : { sp_openid: p.spOpenid, sub_openid: order.payerOpenid };
  const view: Record<string, unknown> = {
    ...direct,
    sp_appid: p.spAppid,
    sp_mchid: p.spMchid,
    sub_mchid: p.subMchid,
    payer,
  };
  delete view.appid;
  delete view.mchid;
  if (p.subAppid !== undefined) view.sub_appid = p.subAppid;
  return view;
}

/** Plaintext of a REFUND.* notification for a partner order. */
export function partnerRefundNotifyView(refund: Refund, order: Order): Record<string, unknown> {
  const p = order.partner;
  if (p === undefined) throw new Error(`order ${order.outTradeNo} is not a partner order`);
  const view = refundNotifyView(refund, p.spMchid);
  delete view.mchid;
  return { ...view, sp_mchid: p.spMchid, sub_mchid: p.subMchid };
}
