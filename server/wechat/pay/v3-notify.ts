/**
 * API v3 notifications, both direct and partner mode: verify the signature over the raw bytes,
 * check the envelope, AES-256-GCM decrypt the resource. What the resource means is the
 * adapter's business; this stops at "WeChat sent this JSON".
 */
import type { IncomingHttpHeaders } from 'node:http';
import { headerOf } from '../http-client';
import { DecryptError, decryptResource } from './aead';
import type { NotifyAnswer } from './port';
import { NotificationRejected } from './port';
import type { Notification } from './types';
import { SignatureError, signatureHeaders, verifySignature } from './verify';
import type { PlatformKeys } from './verify';

export interface V3NotifyKeys {
  platformKeys: PlatformKeys;
  apiV3Key: string;
  windowSeconds: number;
}

export interface V3Envelope {
  id: string;
  eventType: string;
  /** The decrypted resource, parsed but not yet typed. */
  resource: unknown;
}

function isNotification(v: unknown): v is Notification {
  if (typeof v !== 'object' || v === null) return false;
  const n = v as Record<string, unknown>;
  const r = n.resource as Record<string, unknown> | undefined;
  return (
    typeof n.id === 'string' &&
    n.id.length > 0 &&
    n.id.length <= 64 &&
    typeof n.event_type === 'string' &&
    typeof r === 'object' &&
    r !== null &&
    typeof r.ciphertext === 'string' &&
    typeof r.nonce === 'string' &&
    typeof r.algorithm === 'string'
  );
}

const reject = (status: number, message: string, reason?: string): NotificationRejected =>
  new NotificationRejected(status, message, reason);

export function openV3Notification(
  headers: IncomingHttpHeaders,
  raw: Buffer,
  keys: V3NotifyKeys,
): V3Envelope {
  try {
    verifySignature({
      headers: signatureHeaders((n) => headerOf(headers, n)),
      body: raw,
      keys: keys.platformKeys,
      // Signature freshness is judged on the wall clock, like WeChat does.
      now: Math.floor(Date.now() / 1000),
      windowSeconds: keys.windowSeconds,
    });
  } catch (err) {
    if (err instanceof SignatureError) {
      throw reject(401, `signature rejected: ${err.reason}`, err.reason);
    }
    throw err;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw reject(400, 'body is not JSON');
  }
  if (!isNotification(body)) throw reject(400, 'not a WeChat Pay notification');
  let plain: string;
  try {
    plain = decryptResource(body.resource, keys.apiV3Key);
  } catch (err) {
    if (err instanceof DecryptError) throw reject(400, `cannot decrypt resource: ${err.message}`);
    throw err;
  }
  let resource: unknown;
  try {
    resource = JSON.parse(plain);
  } catch {
    throw reject(400, 'resource is not JSON');
  }
  return { id: body.id, eventType: body.event_type, resource };
}

/** v3: an empty 204 takes a notification; a 4xx/5xx with `{ code: 'FAIL', message }` refuses it. */
export function v3NotifyAnswer(refusal?: { status: number; message: string }): NotifyAnswer {
  if (!refusal) return { status: 204, body: null };
  return {
    status: refusal.status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ code: 'FAIL', message: refusal.message }),
  };
}

export const V3_NOTIFY_CONTENT_TYPES = ['application/json'] as const;
