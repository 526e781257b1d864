/**
 * Words for a failed payment. The pay-button's `fail` detail carries WeChat's errMsg, and for a
 * failure inside the functional page a technical reason (`POST /api/session failed: request:fail
 * ECONNREFUSED`). Known causes become advice; anything else is shown as given, shortened to what
 * a toast shows.
 */
import type { ShopMessages } from './i18n';

type Cause = Exclude<keyof ShopMessages['payment'], 'other' | 'unknownReason'>;

const KNOWN: ReadonlyArray<[RegExp, Cause]> = [
  [/real device|devtools/i, 'devtools'],
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

export function paymentFailureText(errMsg: string | undefined, m: ShopMessages): string {
  const reason = failReason(errMsg);
  for (const [pattern, cause] of KNOWN) if (pattern.test(reason)) return m.payment[cause];
  const text = m.payment.other(reason || m.payment.unknownReason);
  const max = m.toastMaxLength;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
