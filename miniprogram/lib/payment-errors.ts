/**
 * Words for a failed payment. The pay-button's `fail` detail carries WeChat's errMsg, and for a
 * failure inside the functional page a technical reason (`POST /api/session failed: request:fail
 * ECONNREFUSED`). Known causes become advice; anything else is shown as given, shortened to what
 * a toast shows.
 */
import type { ShopMessages } from './i18n';

type Cause = Exclude<keyof ShopMessages['payment'], 'other' | 'unknownReason'>;

const CHANNEL_CONFLICT = /CHANNEL_CONFLICT/;

const KNOWN: ReadonlyArray<[RegExp, Cause]> = [
  [/real device|devtools/i, 'devtools'],
  // Before the generic 409: the order is bound to the cashier, which the shopper must be told.
  [CHANNEL_CONFLICT, 'channelConflict'],
  [/ORDER_NOT_PAYABLE|HTTP 409/, 'notPayable'],
  [/FORBIDDEN|HTTP 403/, 'forbidden'],
  [/RATE_LIMITED|HTTP 429/, 'rateLimited'],
  [/timeout|timed out/i, 'timeout'],
  [/request:fail|ECONN|ENOTFOUND|EAI_AGAIN|network/i, 'network'],
  [/login|LOGIN_FAILED/i, 'login'],
];

/** `requestPayment:fail no balance` → `no balance`; '' when WeChat gave no reason. */
export function failReason(errMsg: string | undefined): string {
  return (errMsg ?? '').replace(/^[A-Za-z]+:fail\s*/, '').trim();
}

function fitToast(text: string, m: ShopMessages): string {
  const max = m.toastMaxLength;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function paymentFailureText(errMsg: string | undefined, m: ShopMessages): string {
  const reason = failReason(errMsg);
  for (const [pattern, cause] of KNOWN) if (pattern.test(reason)) return m.payment[cause];
  return fitToast(m.payment.other(reason || m.payment.unknownReason), m);
}

/** The server refused the payment because the order is paid through the other channel. */
export function isChannelConflict(errMsg: string | undefined): boolean {
  return CHANNEL_CONFLICT.test(errMsg ?? '');
}

/** A jump to the cashier WeChat refused (not the user's "cancel"), in words. */
export function jumpFailureText(reason: string, m: ShopMessages): string {
  return fitToast(m.jumpOut.failed(reason || m.payment.unknownReason), m);
}
