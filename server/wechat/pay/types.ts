/** Wire shapes of the WeChat Pay v3 calls we make (field names as WeChat spells them). */
export interface JsapiOrderRequest {
  appid: string;
  mchid: string;
  description: string;
  out_trade_no: string;
  time_expire?: string;
  attach?: string;
  notify_url: string;
  amount: { total: number; currency: 'CNY' };
  payer: { openid: string };
}

export type TradeState =
  'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

export interface Transaction {
  appid: string;
  mchid: string;
  /** Partner mode only: the sub-merchant paid (checked against the order's). */
  sub_mchid?: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_state: TradeState;
  trade_state_desc?: string;
  success_time?: string;
  payer?: { openid?: string };
  amount?: { total?: number; payer_total?: number; currency?: string };
  attach?: string;
}

export interface RefundRequestBody {
  /** Partner mode: the sub-merchant whose order is refunded. */
  sub_mchid?: string;
  out_trade_no: string;
  out_refund_no: string;
  reason?: string;
  notify_url?: string;
  amount: { refund: number; total: number; currency: 'CNY' };
}

export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';

export interface Refund {
  refund_id?: string;
  out_refund_no: string;
  out_trade_no?: string;
  status: RefundStatus;
  amount?: { refund?: number; total?: number };
}

/** Decrypted REFUND.* notification resource. */
export interface RefundNotice {
  mchid: string;
  /** Partner mode only. */
  sub_mchid?: string;
  out_trade_no: string;
  out_refund_no: string;
  refund_id?: string;
  refund_status: RefundStatus;
  amount?: { total?: number; refund?: number };
}

export interface Notification {
  id: string;
  create_time?: string;
  event_type: string;
  resource_type?: string;
  summary?: string;
  resource: {
    algorithm: string;
    ciphertext: string;
    associated_data?: string;
    nonce: string;
    original_type?: string;
  };
}

/** Partner-mode JSAPI order (`/v3/pay/partner/transactions/jsapi`). */
export interface PartnerJsapiOrderRequest {
  sp_appid: string;
  sp_mchid: string;
  sub_mchid: string;
  description: string;
  out_trade_no: string;
  time_expire?: string;
  notify_url: string;
  amount: { total: number; currency: 'CNY' };
  payer: { sp_openid: string };
}

/** Partner-mode transaction (query answer and decrypted notification). */
export interface PartnerTransaction {
  sp_appid: string;
  sp_mchid: string;
  sub_mchid: string;
  sub_appid?: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_state: TradeState;
  trade_state_desc?: string;
  success_time?: string;
  payer?: { sp_openid?: string; sub_openid?: string };
  amount?: { total?: number; payer_total?: number; currency?: string };
  attach?: string;
}

/** Partner-mode REFUND.* resource. */
export interface PartnerRefundNotice {
  sp_mchid: string;
  sub_mchid: string;
  out_trade_no: string;
  out_refund_no: string;
  refund_id?: string;
  refund_status: RefundStatus;
  amount?: { total?: number; refund?: number };
}
