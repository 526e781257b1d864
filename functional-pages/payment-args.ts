/** Checks on what crosses the functional page: the plugin's paymentArgs in, the server's answer out. */
import type { PaySignType, RequestPaymentArgs } from '../typings';
import { FunctionalPageError } from './errors';

/** WeChat's out_trade_no alphabet and length, which our order numbers use. */
const ORDER_NO = /^[A-Za-z0-9_\-*|]{6,32}$/;
const SIGN_TYPES: readonly PaySignType[] = ['RSA', 'MD5', 'HMAC-SHA256'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readOrderNo(paymentArgs: unknown): string {
  if (!isPlainObject(paymentArgs)) {
    throw new FunctionalPageError(
      'INVALID_PAYMENT_ARGS',
      'paymentArgs must be an object like { orderNo }',
    );
  }
  const { orderNo } = paymentArgs;
  if (typeof orderNo !== 'string' || !ORDER_NO.test(orderNo)) {
    throw new FunctionalPageError(
      'INVALID_PAYMENT_ARGS',
      `paymentArgs.orderNo must be 6–32 characters of A-Z a-z 0-9 _ - * |, got ${JSON.stringify(orderNo) ?? 'undefined'}`,
    );
  }
  return orderNo;
}

/**
 * The server's fields go to WeChat exactly as sent (they are signed); only their shape is
 * checked, so a broken answer fails here with a reason instead of inside the cashier.
 */
export function readRequestPaymentArgs(data: unknown, what: string): RequestPaymentArgs {
  const bad = (reason: string) =>
    new FunctionalPageError(
      'MALFORMED_RESPONSE',
      `${what} answered a malformed payment: ${reason}`,
    );
  if (!isPlainObject(data)) throw bad('not a JSON object');
  const { timeStamp, nonceStr, signType, paySign, extraData } = data;
  const pkg = data.package;
  if (typeof timeStamp !== 'string' || !/^\d{1,12}$/.test(timeStamp)) {
    throw bad('timeStamp must be a string of seconds');
  }
  if (typeof nonceStr !== 'string' || nonceStr === '' || nonceStr.length > 32) {
    throw bad('nonceStr must be 1–32 characters');
  }
  if (typeof pkg !== 'string' || !/^prepay_id=\S+$/.test(pkg)) {
    throw bad('package must be prepay_id=<id>');
  }
  if (typeof signType !== 'string' || !SIGN_TYPES.includes(signType as PaySignType)) {
    throw bad(`signType must be one of ${SIGN_TYPES.join(', ')}`);
  }
  if (typeof paySign !== 'string' || paySign === '') throw bad('paySign is missing');
  if (extraData !== undefined && !isPlainObject(extraData)) {
    throw bad('extraData must be an object');
  }
  const args: RequestPaymentArgs = {
    timeStamp,
    nonceStr,
    package: pkg,
    signType: signType as PaySignType,
    paySign,
  };
  if (extraData !== undefined) args.extraData = extraData;
  return args;
}
