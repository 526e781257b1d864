/**
 * Verification of WeChat → merchant messages (responses and notifications):
 * `TIMESTAMP\nNONCE\nBODY\n` over the raw body bytes, key picked by `Wechatpay-Serial`
 * (platform certificate serial or `PUB_KEY_ID_…`; several keys may be trusted at once).
 */
import { createPublicKey, createVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export const PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';
/** WeChat and the merchant both reject timestamps more than 5 minutes off. */
export const DEFAULT_WINDOW_SECONDS = 300;

export type VerifyFailure =
  'missing_headers' | 'probe' | 'stale_timestamp' | 'unknown_serial' | 'bad_signature';

export class SignatureError extends Error {
  constructor(
    readonly reason: VerifyFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface SignatureHeaders {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  serial: string | undefined;
}

/** Trusted WeChat keys: serial or public-key id → key. */
export type PlatformKeys = ReadonlyMap<string, KeyObject>;

export function loadPlatformKeys(pems: Readonly<Record<string, string>>): PlatformKeys {
  const keys = new Map<string, KeyObject>();
  for (const [id, pem] of Object.entries(pems)) keys.set(id, createPublicKey(pem));
  return keys;
}

export function buildResponseMessage(
  timestamp: string,
  nonce: string,
  body: Buffer | string,
): Buffer {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), raw, Buffer.from('\n')]);
}

/** Pulls the four headers through a getter of lower-cased header names. */
export function signatureHeaders(
  get: (name: string) => string | null | undefined,
): SignatureHeaders {
  const pick = (n: string): string | undefined => get(n) ?? undefined;
  return {
    timestamp: pick('wechatpay-timestamp'),
    nonce: pick('wechatpay-nonce'),
    signature: pick('wechatpay-signature'),
    serial: pick('wechatpay-serial'),
  };
}

export interface VerifyInput {
  headers: SignatureHeaders;
  body: Buffer | string;
  keys: PlatformKeys;
  /** Seconds since the epoch. */
  now: number;
  windowSeconds?: number;
}

/** Throws `SignatureError` unless the message is authentic and fresh. */
export function verifySignature(input: VerifyInput): void {
  const { timestamp, nonce, signature, serial } = input.headers;
  if (!timestamp || !nonce || !signature || !serial) {
    throw new SignatureError('missing_headers', 'Wechatpay-* signature headers missing');
  }
  // Probes check that the merchant really verifies: they must never pass.
  if (signature.startsWith(PROBE_PREFIX)) {
    throw new SignatureError('probe', 'signature probe rejected');
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new SignatureError('stale_timestamp', 'Wechatpay-Timestamp is not a number');
  }
  const window = input.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  if (Math.abs(input.now - Number(timestamp)) > window) {
    throw new SignatureError('stale_timestamp', 'Wechatpay-Timestamp outside the allowed window');
  }
  const key = input.keys.get(serial);
  if (!key) throw new SignatureError('unknown_serial', `unknown Wechatpay-Serial ${serial}`);
  const ok = createVerify('RSA-SHA256')
    .update(buildResponseMessage(timestamp, nonce, input.body))
    .verify(key, signature, 'base64');
  if (!ok) throw new SignatureError('bad_signature', 'Wechatpay-Signature does not verify');
}
