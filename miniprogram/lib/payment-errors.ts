/**
 * Words for a failed payment. The pay-button's `fail` detail carries WeChat's errMsg, and for a
 * failure inside the functional page a technical reason (`POST /api/session failed: request:fail
 * ECONNREFUSED`). Known causes become advice; anything else is shown as given, shortened.
 */

/** A toast with `icon: 'none'` shows about two lines. */
export const MAX_TOAST_LENGTH = 60;

const KNOWN: ReadonlyArray<[RegExp, string]> = [
  [/real device|devtools/i, 'Payments need a real device: WeChat DevTools cannot run them.'],
  [/ORDER_NOT_PAYABLE|HTTP 409/, 'Payment failed: this order can no longer be paid.'],
  [/FORBIDDEN|HTTP 403/, 'Payment failed: this order belongs to another WeChat account.'],
  [/RATE_LIMITED|HTTP 429/, 'Payment failed: too many attempts. Please wait a moment.'],
  [/timeout|timed out/i, 'Payment failed: the shop took too long to answer. Please try again.'],
  [
    /request:fail|ECONN|ENOTFOUND|EAI_AGAIN|network/i,
    'Payment failed: cannot reach the shop. Check your connection and try again.',
  ],
  [/login|LOGIN_FAILED/i, 'Payment failed: WeChat sign-in failed. Please try again.'],
];

/** `requestPayment:fail no balance` → `no balance`. */
export function failReason(errMsg: string | undefined): string {
  const reason = (errMsg ?? '').replace(/^[A-Za-z]+:fail\s*/, '').trim();
  return reason || 'unknown error';
}

export function paymentFailureText(errMsg: string | undefined): string {
  const reason = failReason(errMsg);
  for (const [pattern, text] of KNOWN) if (pattern.test(reason)) return text;
  const text = `Payment failed: ${reason}`;
  return text.length > MAX_TOAST_LENGTH ? `${text.slice(0, MAX_TOAST_LENGTH - 1)}…` : text;
}
