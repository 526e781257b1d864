/**
 * Real WeChat sees every jump between mini programs; here the emulated client tells the sandbox
 * (POST {sandbox}/sandbox/jumps), so its inspection page can show them. Fire-and-forget: a
 * report never changes what an API answers and never throws into the page code. A failure
 * (no sandbox there, a refusal) is kept in `phone.reportErrors`. Reports from one phone go out
 * one after another, so the sandbox lists them in the order they happened.
 */
import { httpRequest } from './http';
import type { Phone } from './phone';

export interface JumpReport {
  event: 'open' | 'dialog' | 'return';
  /** The mini program leaving: the opener for open / dialog, the target for a return. */
  from: string;
  to: string;
  api?:
    'navigateToMiniProgram' | 'openEmbeddedMiniProgram' | 'navigateBackMiniProgram' | 'swipe-away';
  kind?: 'embedded' | 'full-screen' | 'fallback';
  reason?: 'not-approved' | 'not-declared' | 'landscape';
  answer?: 'confirm' | 'cancel';
  path?: string;
  apiCategory?: 'default' | 'embedded';
  extraData?: Record<string, unknown>;
  extraDataLost?: boolean;
  user?: string;
}

/** Short: the sandbox is local, and a test run must not wait on a port nobody listens on. */
export const REPORT_TIMEOUT_MS = 2000;

/** Where a phone's reports go, set by the first createWx on it (its sandbox and user). */
export type JumpReporter = (report: JumpReport) => void;

export interface ReportQueue {
  /** The last report in flight: the next one starts when it has settled. */
  tail: Promise<void>;
  /** Reports not yet settled. */
  pending: Set<Promise<void>>;
}

export function createReportQueue(): ReportQueue {
  return { tail: Promise.resolve(), pending: new Set() };
}

/** A reporter to `sandboxUrl` for `phone`, adding `user` to each report. */
export function jumpReporter(phone: Phone, sandboxUrl: string, user?: string): JumpReporter {
  return (report) =>
    sendJumpReport(phone, sandboxUrl, user === undefined ? report : { ...report, user });
}

/** Queues one report; the promise is kept in `phone.reports.pending` until it settles. */
export function sendJumpReport(phone: Phone, sandboxUrl: string, report: JumpReport): void {
  let body: string;
  try {
    body = JSON.stringify(report);
  } catch (err) {
    phone.reportErrors.push(err);
    return;
  }
  const url = `${sandboxUrl.replace(/\/+$/, '')}/sandbox/jumps`;
  const send = async (): Promise<void> => {
    const res = await httpRequest({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body,
      timeoutMs: REPORT_TIMEOUT_MS,
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new Error(`POST ${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
    }
  };
  const queue = phone.reports;
  const done = queue.tail
    .then(send)
    .catch((err: unknown) => {
      phone.reportErrors.push(err);
    })
    .finally(() => {
      queue.pending.delete(done);
    });
  queue.tail = done;
  queue.pending.add(done);
}

/** Resolves once every report the phone has queued (including ones queued meanwhile) settled. */
export async function reportsSettled(phone: Phone): Promise<void> {
  while (phone.reports.pending.size > 0) {
    await Promise.all([...phone.reports.pending]);
  }
}
