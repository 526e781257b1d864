/**
 * WeChat Pay API v2 signatures: every non-empty field except `sign`, sorted by ASCII name,
 * `k=v` joined by `&`, then `&key=<APIv2 key>`; MD5 of that, or HMAC-SHA256 keyed with the APIv2
 * key, as upper-case hex. The same rule signs requests, answers, notifications and the v2
 * `paySign` of `wx.requestPayment`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type V2SignType = 'MD5' | 'HMAC-SHA256';

export const V2_SIGN_TYPES: readonly V2SignType[] = ['MD5', 'HMAC-SHA256'];

export type V2Fields = Readonly<Record<string, string | number | undefined>>;

/** `a=1&b=2&key=…` over the non-empty fields other than `sign`, by ASCII order of name. */
export function v2SigningString(fields: V2Fields, key: string): string {
  const pairs = Object.keys(fields)
    .filter((name) => name !== 'sign')
    .filter((name) => fields[name] !== undefined && String(fields[name]) !== '')
    // ASCII order, not locale order: plain code-unit comparison.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${name}=${String(fields[name])}`);
  return `${pairs.join('&')}&key=${key}`;
}

export function signV2(fields: V2Fields, key: string, type: V2SignType): string {
  const text = v2SigningString(fields, key);
  const digest =
    type === 'MD5'
      ? createHash('md5').update(text, 'utf8').digest('hex')
      : createHmac('sha256', key).update(text, 'utf8').digest('hex');
  return digest.toUpperCase();
}

/** Whether `fields.sign` is the signature of the rest; constant-time, case-sensitive hex. */
export function verifyV2(fields: V2Fields, key: string, type: V2SignType): boolean {
  const given = fields.sign;
  if (typeof given !== 'string' || !/^[0-9A-F]+$/.test(given)) return false;
  const expected = Buffer.from(signV2(fields, key, type), 'ascii');
  const actual = Buffer.from(given, 'ascii');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export interface V2PayArgs {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: V2SignType;
}

/** `paySign` for `wx.requestPayment` under v2: the same rule over the five arguments. */
export function paySignV2(args: V2PayArgs, key: string): string {
  return signV2({ ...args }, key, args.signType);
}
