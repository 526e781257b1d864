/**
 * One notification delivery attempt, as WeChat (and an aggregator) makes it: POST the body,
 * wait at most `timeoutMs` for the whole answer, keep what the inspection page and the
 * acknowledgement check need. Never rejects: a failure is part of the answer.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rfc3339Beijing } from '../ids';
import type { DeliveryAttempt, NotificationState } from '../store';

/** WeChat's documented retry gaps after a failed delivery (seconds): 15 retries over ~24 h. */
export const RETRY_SCHEDULE_SECONDS: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];

/** WeChat gives the merchant 5 s to answer; scaled, but never below 1 s of real time. */
const DELIVERY_TIMEOUT_S = 5;
const MIN_TIMEOUT_MS = 1000;

export function deliveryTimeoutMs(timeScale: number): number {
  return Math.max(MIN_TIMEOUT_MS, DELIVERY_TIMEOUT_S * 1000 * timeScale);
}

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

/** A notification as far as its deliveries go (WeChat's and the aggregator's alike). */
export interface Retried {
  state: NotificationState;
  attempts: DeliveryAttempt[];
  nextAttemptAt?: string;
}

/**
 * Records attempt `n` (started at `started` real ms, `at` virtual time) and what follows from
 * it: delivered, failed for good after the last retry, or `retry(gapSeconds)` on the schedule.
 */
export function recordAttempt(
  record: Retried,
  a: { n: number; at: string; started: number; answer: DeliveryAnswer; acknowledged: boolean },
  now: number,
  retry: (gapSeconds: number) => void,
): void {
  const attempt: DeliveryAttempt = {
    n: a.n,
    at: a.at,
    realAt: new Date(a.started).toISOString(),
    durationMs: Date.now() - a.started,
    acknowledged: a.acknowledged,
  };
  if (a.answer.status !== undefined) attempt.status = a.answer.status;
  if (a.answer.error !== undefined) attempt.error = a.answer.error;
  if (a.answer.body !== undefined) attempt.responseBody = a.answer.body;
  if (a.answer.bytes !== undefined) attempt.responseBytes = a.answer.bytes;
  record.attempts.push(attempt);
  if (a.acknowledged) {
    record.state = 'delivered';
    return;
  }
  const gap = RETRY_SCHEDULE_SECONDS[a.n - 1];
  if (gap === undefined) {
    record.state = 'failed';
    return;
  }
  record.nextAttemptAt = rfc3339Beijing(now + gap * 1000);
  retry(gap);
}
