/**
 * `wx.requestPayment` arguments for API v3: paySign over four lines (appId, timeStamp,
 * nonceStr, package), each ended by `\n`. signType is not signed.
 */
import type { KeyObject } from 'node:crypto';
import type { RequestPaymentArgs } from '../../../typings/payment';
import { randomNonce, signMessage } from './sign';

export function buildPaySignMessage(
  appId: string,
  timeStamp: string,
  nonceStr: string,
  pkg: string,
): string {
  return `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

export interface PaymentArgsInput {
  appId: string;
  prepayId: string;
  privateKey: KeyObject;
  /** Seconds since the epoch. */
  timestamp: number;
  nonce?: string;
}

export function buildRequestPaymentArgs(input: PaymentArgsInput): RequestPaymentArgs {
  const timeStamp = String(Math.floor(input.timestamp));
  const nonceStr = input.nonce ?? randomNonce();
  const pkg = `prepay_id=${input.prepayId}`;
  return {
    timeStamp,
    nonceStr,
    package: pkg,
    signType: 'RSA',
    paySign: signMessage(
      buildPaySignMessage(input.appId, timeStamp, nonceStr, pkg),
      input.privateKey,
    ),
  };
}
