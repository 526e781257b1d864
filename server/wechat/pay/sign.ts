/**
 * Request signing for WeChat Pay API v3 (merchant → WeChat).
 * The signed message covers the exact bytes sent, so the caller serialises the body once and
 * passes the same string here and to the HTTP request.
 */
import { createSign, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

/** `METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nNONCE\nBODY\n` (BODY empty for GET). */
export function buildRequestMessage(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** RSA-SHA256 (PKCS#1 v1.5) with the merchant private key, base64. Deterministic for a key. */
export function signMessage(message: string, privateKey: KeyObject): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
}

export interface AuthorizationParts {
  mchId: string;
  serialNo: string;
  nonce: string;
  timestamp: string;
  signature: string;
}

export function buildAuthorization(p: AuthorizationParts): string {
  return (
    `${AUTH_SCHEMA} mchid="${p.mchId}",nonce_str="${p.nonce}",timestamp="${p.timestamp}",` +
    `serial_no="${p.serialNo}",signature="${p.signature}"`
  );
}

/** 32 chars of [0-9A-Z]: fits nonce_str and nonceStr (≤ 32). */
export function randomNonce(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const bytes = randomBytes(32);
  let out = '';
  for (const b of bytes) out += alphabet[b % 36];
  return out;
}

export interface SignRequestInput {
  method: string;
  pathWithQuery: string;
  body: string;
  mchId: string;
  serialNo: string;
  privateKey: KeyObject;
  /** Seconds since the epoch. */
  timestamp: number;
  nonce?: string;
}

/** The `Authorization` header value for one request. */
export function signRequest(input: SignRequestInput): string {
  const nonce = input.nonce ?? randomNonce();
  const timestamp = String(Math.floor(input.timestamp));
  const message = buildRequestMessage(
    input.method,
    input.pathWithQuery,
    timestamp,
    nonce,
    input.body,
  );
  return buildAuthorization({
    mchId: input.mchId,
    serialNo: input.serialNo,
    nonce,
    timestamp,
    signature: signMessage(message, input.privateKey),
  });
}
