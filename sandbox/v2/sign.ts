import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type V2SignType = 'MD5' | 'HMAC-SHA256';

export const V2_SIGN_TYPES: readonly V2SignType[] = ['MD5', 'HMAC-SHA256'];

export function isV2SignType(value: unknown): value is V2SignType {
  return value === 'MD5' || value === 'HMAC-SHA256';
}

/** `k=v&…&key=<APIv2 key>` over the non-empty fields except `sign`, names in ASCII order. */
export function v2SignString(fields: Record<string, string | undefined>, apiV2Key: string): string {
  const pairs = Object.entries(fields)
    .filter((e): e is [string, string] => e[0] !== 'sign' && e[1] !== undefined && e[1] !== '')
    // Code-unit order is ASCII order for the ASCII names WeChat uses; localeCompare is not.
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  return `${pairs.join('&')}&key=${apiV2Key}`;
}

export function v2Sign(
  fields: Record<string, string | undefined>,
  apiV2Key: string,
  type: V2SignType,
): string {
  const text = v2SignString(fields, apiV2Key);
  const digest =
    type === 'MD5'
      ? createHash('md5').update(text, 'utf8').digest('hex')
      : createHmac('sha256', apiV2Key).update(text, 'utf8').digest('hex');
  return digest.toUpperCase();
}

/** Constant-time comparison, so response timing does not reveal how much of a guess was right. */
export function v2SignMatches(
  fields: Record<string, string | undefined>,
  apiV2Key: string,
  type: V2SignType,
  sign: string | undefined,
): boolean {
  if (sign === undefined) return false;
  const expected = Buffer.from(v2Sign(fields, apiV2Key, type), 'utf8');
  const given = Buffer.from(sign, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The fields a v2 `wx.requestPayment` paySign covers (capital I in appId, as WeChat spells it). */
export function v2PaySignFields(
  appId: string,
  timeStamp: string,
  nonceStr: string,
  pkg: string,
  signType: string,
): Record<string, string> {
  return { appId, nonceStr, package: pkg, signType, timeStamp };
}

/** A sign of the right shape that does not verify (bad_signature fault): flip its first digit. */
export function corruptV2Sign(sign: string): string {
  const first = sign.charAt(0);
  return `${first === 'A' ? 'B' : 'A'}${sign.slice(1)}`;
}
