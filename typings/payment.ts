/**
 * What crosses the plugin → functional page → server boundary.
 */

/** `paymentArgs` our owner app understands: the server-side order to pay. */
export interface PaymentArgs {
  /** 6–32 chars of WeChat's out_trade_no set: [A-Za-z0-9_\-*|]. */
  orderNo: string;
}

/** API v3 signs with RSA; MD5 / HMAC-SHA256 are API v2 schemes, kept for v2 merchants. */
export type PaySignType = 'RSA' | 'MD5' | 'HMAC-SHA256';

/**
 * `wx.requestPayment` arguments without callbacks, as `beforeRequestPayment` hands them to
 * WeChat. `timeStamp` is a string of seconds; `package` is `prepay_id=<id>`.
 */
export interface RequestPaymentArgs {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: PaySignType;
  paySign: string;
  /** Comes back to the plugin in the success event's `detail.extraData`. */
  extraData?: Record<string, unknown>;
}

/** `callback` of `beforeRequestPayment(paymentArgs, callback)`. */
export type BeforeRequestPaymentCallback = (
  err: Error | null,
  requestPaymentArgs?: RequestPaymentArgs,
) => void;
