/**
 * One notification delivery attempt, as WeChat (and an aggregator) makes it: POST the body,
 * wait at most `timeoutMs` for the whole answer, keep what the inspection page and the
 * acknowledgement check need. Never rejects: a failure is part of the answer.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What is kept of the merchant's answer for the inspection page. */
export const MAX_RECORDED_BODY = 512;
/** What is read of it for an acknowledgement check (an XML answer may be longer than recorded). */
export const MAX_ACK_BODY = 16 * 1024;

export interface DeliveryAnswer {
  status?: number;
  error?: string;
  /** The first MAX_RECORDED_BODY bytes as text (a split last character dropped). */
  body?: string;
  /** Up to MAX_ACK_BODY bytes of the answer. */
  head?: string;
  /** Length of the whole answer body. */
  bytes?: number;
}

/**
 * Cut on a byte count, a multi-byte character (merchants often answer in Chinese) may be split:
 * drop that half character rather than record a replacement mark the merchant never sent.
 */
function recordedBody(chunks: Buffer[], size: number): string {
  const head = Buffer.concat(chunks).subarray(0, MAX_RECORDED_BODY);
  const text = head.toString('utf8');
  return size > head.length ? text.replace(/\uFFFD$/, '') : text;
}

export function deliver(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  /** Requests still running, so the owner can cut them on close. */
  inFlight: Set<ClientRequest>,
): Promise<DeliveryAnswer> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ error: 'invalid notify_url' });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (a: DeliveryAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inFlight.delete(req);
      resolve(a);
    };
    const req = send(
      target,
      { method: 'POST', headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ACK_BODY) chunks.push(c);
          size += c.length;
        });
        const answered = (): DeliveryAnswer => ({
          status: res.statusCode ?? 0,
          body: recordedBody(chunks, size),
          head: Buffer.concat(chunks).subarray(0, MAX_ACK_BODY).toString('utf8'),
          bytes: size,
        });
        res.on('end', () => finish(answered()));
        res.on('error', (e) => finish({ ...answered(), error: e.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    inFlight.add(req);
    req.on('error', (e) => finish({ error: e.message }));
    req.end(body);
  });
}
