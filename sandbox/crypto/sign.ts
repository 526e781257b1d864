import { createSign, createVerify, type KeyObject } from 'node:crypto';

/** Prefix WeChat Pay puts on deliberately invalid "probe" signatures. */
export const SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';

/** The exact string a merchant signs for a v3 request. BODY is empty for GET and is the raw bytes sent. */
export function requestMessage(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** The exact string WeChat signs for a v3 response or notification. */
export function responseMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** The four lines a JSAPI paySign covers (signType is not signed). */
export function paySignMessage(
  appId: string,
  timeStamp: string,
  nonceStr: string,
  pkg: string,
): string {
  return `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

export function signRsaSha256(message: string, privateKey: KeyObject): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
}

export function verifyRsaSha256(message: string, signature: string, publicKey: KeyObject): boolean {
  if (signature.startsWith(SIGNTEST_PREFIX)) return false;
  // Reject anything that is not canonical base64 up front: Buffer.from silently skips junk.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify('RSA-SHA256')
      .update(message, 'utf8')
      .verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

export interface AuthorizationParams {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

export const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

/**
 * Parses `WECHATPAY2-SHA256-RSA2048 k="v",k="v"`. Returns a reason string when malformed so the
 * caller can answer with a precise 401.
 */
export function parseAuthorization(header: string | undefined): AuthorizationParams | string {
  if (header === undefined || header === '') return 'missing Authorization header';
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== AUTH_SCHEMA) {
    return `Authorization scheme must be ${AUTH_SCHEMA}`;
  }
  const fields = new Map<string, string>();
  // Values never contain commas or quotes (ids, digits, base64), so a plain split is exact.
  for (const part of header.slice(space + 1).split(',')) {
    const m = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
    if (m === null || m[1] === undefined || m[2] === undefined) {
      return 'malformed Authorization header';
    }
    if (fields.has(m[1])) return `duplicate Authorization field ${m[1]}`;
    fields.set(m[1], m[2]);
  }
  const mchid = fields.get('mchid');
  const nonce = fields.get('nonce_str');
  const timestamp = fields.get('timestamp');
  const serial = fields.get('serial_no');
  const signature = fields.get('signature');
  if (!mchid) return 'Authorization lacks mchid';
  if (!nonce) return 'Authorization lacks nonce_str';
  if (!timestamp) return 'Authorization lacks timestamp';
  if (!serial) return 'Authorization lacks serial_no';
  if (!signature) return 'Authorization lacks signature';
  return { mchid, nonce_str: nonce, timestamp, serial_no: serial, signature };
}
