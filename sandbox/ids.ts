import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

export function randomHexUpper(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length)
    .toUpperCase();
}

export function requestId(): string {
  // WeChat's Request-ID is an opaque token; 128 random bits in upper hex is as good as any.
  return randomBytes(16).toString('hex').toUpperCase();
}

export function eventId(): string {
  return randomUUID();
}

/** WeChat uses Beijing time (+08:00) in RFC 3339 form: 2018-06-08T10:34:56+08:00. */
export function rfc3339Beijing(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.toISOString().slice(0, 19)}+08:00`;
}

/** yyyyMMddHHmmss in Beijing time, as prefixes of WeChat ids. */
export function compactBeijing(ms: number): string {
  return rfc3339Beijing(ms).slice(0, 19).replace(/[-T:]/g, '');
}

/** prepay_id: 'wx' + 14 time digits + 20 chars, 36 in all (the shape WeChat hands out). */
export function prepayId(nowMs: number): string {
  return `wx${compactBeijing(nowMs)}${randomHexUpper(10).toLowerCase()}${randomDigits(10)}`;
}

/** transaction_id: 28 digits starting 4200. */
export function transactionId(nowMs: number): string {
  return `4200${randomDigits(6)}${compactBeijing(nowMs).slice(0, 8)}${randomDigits(10)}`;
}

/** refund_id: 29 digits starting 50. */
export function refundId(nowMs: number): string {
  return `50${randomDigits(9)}${compactBeijing(nowMs).slice(0, 8)}${randomDigits(10)}`;
}

export function loginCode(): string {
  return randomBytes(24).toString('base64url').slice(0, 32);
}

export function sessionKey(): string {
  return randomBytes(16).toString('base64');
}

/**
 * openid: 28 chars, stable per (appid, user) across restarts, and checkable for its app without
 * a lookup table: 'o' + 5-char app tag + 22-char user part, both HMACs of the sandbox salt.
 */
export function openidFor(salt: string, appid: string, user: string): string {
  return `o${appTag(salt, appid)}${hmacB64(salt, `user:${appid}:${user}`).slice(0, 22)}`;
}

export function openidBelongsTo(salt: string, appid: string, openid: string): boolean {
  return openid.length === 28 && openid.startsWith(`o${appTag(salt, appid)}`);
}

function appTag(salt: string, appid: string): string {
  return hmacB64(salt, `app:${appid}`).slice(0, 5);
}

function hmacB64(salt: string, data: string): string {
  return createHmac('sha256', salt).update(data).digest('base64url');
}
