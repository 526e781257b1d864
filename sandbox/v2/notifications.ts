import { randomBytes } from 'node:crypto';
import type { SandboxContext } from '../context';
import { randomAlnum } from '../ids';
import type { XmlNotifyEvent } from '../notifier';
import type { Order, Refund } from '../store';
import { encryptReqInfo } from './refund-cipher';
import { corruptV2Sign, v2Sign } from './sign';
import { spacedBeijing } from './time';
import { V2_REFUND_STATUS, v2PaidFields } from './views';
import { buildFlatXml } from './xml';

/** The payment result notification of a v2 order, signed with the order's sign_type. */
export function v2PaymentNotification(ctx: SandboxContext, order: Order): XmlNotifyEvent {
  const signType = order.signType ?? 'MD5';
  const fields: Record<string, string | undefined> = {
    appid: order.appid,
    mch_id: order.mchid,
    nonce_str: randomAlnum(32),
    result_code: 'SUCCESS',
    return_code: 'SUCCESS',
    openid: order.payerOpenid,
    total_fee: String(order.total),
    fee_type: order.currency,
    out_trade_no: order.outTradeNo,
    attach: order.attach,
    ...v2PaidFields(order),
    // WeChat lists sign_type as optional here; it is sent only when it is not the MD5 default.
    sign_type: signType === 'MD5' ? undefined : signType,
  };
  const sign = v2Sign(fields, ctx.keys.credentials.apiV2Key, signType);
  return {
    format: 'xml',
    eventType: 'TRANSACTION.SUCCESS',
    body: buildFlatXml({ ...fields, sign }),
    badBody: buildFlatXml({ ...fields, sign: corruptV2Sign(sign) }),
    url: order.notifyUrl,
    outTradeNo: order.outTradeNo,
  };
}

/**
 * The refund result notification of a v2 refund: no sign, the details are in req_info, which only
 * the holder of the APIv2 key can decrypt.
 */
export function v2RefundNotification(
  ctx: SandboxContext,
  order: Order,
  refund: Refund,
  url: string,
): XmlNotifyEvent {
  const details = buildFlatXml(
    {
      out_refund_no: refund.outRefundNo,
      out_trade_no: refund.outTradeNo,
      refund_account: 'REFUND_SOURCE_RECHARGE_FUNDS',
      refund_fee: String(refund.refund),
      refund_id: refund.refundId,
      refund_recv_accout: '支付用户零钱',
      refund_request_source: 'API',
      refund_status: V2_REFUND_STATUS[refund.status],
      settlement_refund_fee: String(refund.refund),
      settlement_total_fee: String(refund.total),
      success_time:
        refund.successTime === undefined ? undefined : spacedBeijing(refund.successTime),
      total_fee: String(refund.total),
      transaction_id: refund.transactionId,
    },
    'root',
  );
  const envelope = (reqInfo: string): string =>
    buildFlatXml({
      return_code: 'SUCCESS',
      appid: order.appid,
      mch_id: order.mchid,
      nonce_str: randomAlnum(32),
      req_info: reqInfo,
    });
  return {
    format: 'xml',
    eventType: 'REFUND.SUCCESS',
    body: envelope(encryptReqInfo(ctx.keys.credentials.apiV2Key, details)),
    // There is no sign to spoil: a signature fault sends req_info under a key the merchant lacks.
    badBody: envelope(encryptReqInfo(randomBytes(16).toString('hex'), details)),
    url,
    outTradeNo: order.outTradeNo,
    outRefundNo: refund.outRefundNo,
  };
}
