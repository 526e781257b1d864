/** Application-generated identifiers. */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

function random32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

/** Beijing-time date, as people reading a WeChat bill expect. */
function beijingDate(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

/** `WP` + yyyymmdd + 12 random chars = 22 chars, a valid out_trade_no ([A-Za-z0-9_\-*|], 6–32). */
export function newOrderNo(nowMs: number): string {
  return `WP${beijingDate(nowMs)}${random32(12)}`;
}

/** out_refund_no: 64 chars allowed; 24 used. */
export function newRefundNo(nowMs: number): string {
  return `RF${beijingDate(nowMs)}${random32(14)}`;
}

export const ORDER_NO_PATTERN = '^[A-Za-z0-9_\\-*|]{6,32}$';
