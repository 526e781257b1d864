/**
 * The aggregator's notifications: a signed form POSTed to the merchant's notify_url, retried on
 * WeChat's schedule (sandbox/notifier.ts) on the virtual clock until the merchant answers HTTP 200
 * with the body `success`. Faults come from the 'aggregator-notify' endpoint.
 */
import type { ClientRequest } from 'node:http';
import type { Scheduler, VirtualClock } from '../clock';
import type { FaultSet } from '../faults';
import { deliver, deliveryTimeoutMs, recordAttempt } from '../http/deliver';
import type { DeliveryAnswer } from '../http/deliver';
import { rfc3339Beijing } from '../ids';
import type { AggregatorNotification, AggregatorState } from './state';

export interface AggregatorNotifierDeps {
  clock: VirtualClock;
  scheduler: Scheduler;
  faults: FaultSet;
  state: AggregatorState;
}

type Answer = DeliveryAnswer;

/** What the merchant must answer to stop the retries: HTTP 200 and `success` (spaces aside). */
function acknowledges(a: Answer): boolean {
  return a.status === 200 && a.body?.trim() === 'success';
}

export class AggregatorNotifier {
  private readonly inFlight = new Set<ClientRequest>();
  private closed = false;

  constructor(private readonly deps: AggregatorNotifierDeps) {}

  /**
   * `body` is the genuine form; `forged` what a bad_signature fault sends on the first attempt
   * instead (the same fields under a wrong sign).
   */
  enqueue(outTradeNo: string, url: string, body: string, forged: string): AggregatorNotification {
    const { state, faults } = this.deps;
    const hits = faults.roll('aggregator-notify');
    const record: AggregatorNotification = {
      seq: state.nextSeq(),
      outTradeNo,
      url,
      body,
      state: 'pending',
      attempts: [],
    };
    state.notifications.push(record);
    state.order(outTradeNo).notifications.push(record);
    if (hits.kinds.has('drop')) {
      record.state = 'dropped';
      record.fault = 'drop';
      return record;
    }
    const badFirst = hits.kinds.has('bad_signature');
    if (badFirst) record.fault = 'bad_signature';
    void (async () => {
      if (hits.latencyMs > 0) {
        record.fault ??= 'delay';
        await this.deps.scheduler.sleepReal(hits.latencyMs);
      }
      await this.attempt(record, badFirst ? forged : undefined);
    })();
    if (hits.kinds.has('duplicate')) {
      const copy: AggregatorNotification = {
        ...record,
        seq: state.nextSeq(),
        attempts: [],
        fault: 'duplicate',
      };
      state.notifications.push(copy);
      state.order(outTradeNo).notifications.push(copy);
      void this.attempt(copy);
    }
    return record;
  }

  close(): void {
    this.closed = true;
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
  }

  private async attempt(record: AggregatorNotification, firstBody?: string): Promise<void> {
    if (this.closed) return;
    const n = record.attempts.length + 1;
    const started = Date.now();
    const at = rfc3339Beijing(this.deps.clock.now());
    delete record.nextAttemptAt;
    const answer = await this.post(record.url, firstBody ?? record.body);
    if (this.closed) return;
    recordAttempt(
      record,
      { n, at, started, answer, acknowledged: acknowledges(answer) },
      this.deps.clock.now(),
      (gap) => this.deps.scheduler.after(gap, () => void this.attempt(record)),
    );
  }

  private post(url: string, body: string): Promise<Answer> {
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    return deliver(
      url,
      body,
      headers,
      deliveryTimeoutMs(this.deps.scheduler.timeScale),
      this.inFlight,
    );
  }
}
