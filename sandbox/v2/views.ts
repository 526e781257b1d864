import { compactBeijing } from '../ids';
import type { Order, Refund, RefundStatus } from '../store';
import { TRADE_STATE_DESC } from '../trade';
import { spacedBeijing } from './time';

/** v2 spells refund states its own way. */
export const V2_REFUND_STATUS: Record<RefundStatus, string> = {
  SUCCESS: 'SUCCESS',
  CLOSED: 'REFUNDCLOSE',
  PROCESSING: 'PROCESSING',
  ABNORMAL: 'CHANGE',
};

type Fields = Record<string, string | undefined>;

/** What a v2 orderquery answers about an order (beside the signed envelope). */
export function v2OrderFields(order: Order): Fields {
  const paid = order.transactionId !== undefined;
  return {
    trade_state: order.state,
    trade_state_desc: TRADE_STATE_DESC[order.state],
    out_trade_no: order.outTradeNo,
    openid: order.payerOpenid,
    total_fee: String(order.total),
    fee_type: order.currency,
    attach: order.attach,
    ...(paid ? v2PaidFields(order) : {}),
  };
}

/** The payment facts of a paid order, as both orderquery and the notification carry them. */
export function v2PaidFields(order: Order): Fields {
  return {
    transaction_id: order.transactionId,
    cash_fee: String(order.payerTotal ?? order.total),
    bank_type: 'OTHERS',
    time_end: compactBeijing(order.successTime ?? order.createdAt),
    trade_type: 'JSAPI',
    is_subscribe: 'N',
  };
}

/** One refund of a refundquery answer, its fields suffixed with the refund's index. */
export function v2RefundQueryFields(refund: Refund, n: number): Fields {
  return {
    [`out_refund_no_${n}`]: refund.outRefundNo,
    [`refund_id_${n}`]: refund.refundId,
    [`refund_fee_${n}`]: String(refund.refund),
    [`refund_status_${n}`]: V2_REFUND_STATUS[refund.status],
    [`refund_channel_${n}`]: 'ORIGINAL',
    [`refund_recv_accout_${n}`]: '支付用户零钱',
    [`refund_success_time_${n}`]:
      refund.successTime === undefined ? undefined : spacedBeijing(refund.successTime),
  };
}
