/**
 * Who may use an order before it has a payer. Creating an order needs no sign-in (a third-party
 * host's plugin cannot sign in), so the order number alone would work as a password. Instead each
 * order gets a capability token at creation, answered once to its creator and passed through the
 * pay-button's `paymentArgs`: reading an order, or paying it first (which binds the payer), takes
 * that token; after binding the payer's session is enough. Only the token's SHA-256 is stored.
 *
 * Idempotency keys are scoped to the client that sent them: a signed-in client's keys are its
 * own, an anonymous client's are shared only with other anonymous holders of the same key. The
 * stored key is a hash of scope and key, so the database alone cannot answer a replay.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random or HMAC bytes in base64url. */
export const ORDER_TOKEN_PATTERN = '^[A-Za-z0-9_-]{43}$';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export const hashOrderToken = sha256;

/** Whose idempotency keys these are: a payer's openid, or the shared anonymous scope. */
export function clientScope(openid: string | undefined): string {
  return openid === undefined ? 'anonymous' : `openid:${openid}`;
}

/** What the orders table stores for (scope, key): 64 hex characters. */
export function scopedIdempotencyKey(scope: string, key: string): string {
  return sha256(`idempotency\0${scope}\0${key}`);
}

/**
 * The order's token. With an idempotency key it is derived from the key, so a replay (which
 * proves it holds the key) gets the same token back without the server keeping it; without one
 * it is random and only the first answer carries it.
 */
export function orderToken(orderNo: string, scope: string, key: string | undefined): string {
  if (key === undefined) return randomBytes(32).toString('base64url');
  return createHmac('sha256', key).update(`order-token\0${scope}\0${orderNo}`).digest('base64url');
}

/** True when `token` is the order's token (constant time). */
export function tokenOpens(accessHash: string | null, token: string | undefined): boolean {
  if (accessHash === null || token === undefined) return false;
  const presented = Buffer.from(sha256(token));
  const stored = Buffer.from(accessHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
