import type { ClientRequest } from 'node:http';
import type { VirtualClock, Scheduler } from './clock';
import { RETRY_SCHEDULE_SECONDS, deliver, deliveryTimeoutMs, recordAttempt } from './http/deliver';
import type { DeliveryAnswer } from './http/deliver';
import { encryptResource } from './crypto/aead';
import type { FaultSet } from './faults';
import { eventId, randomAlnum, rfc3339Beijing } from './ids';
import type { SandboxKeys } from './keys';
import { platformSignature, signatureFaultOf, type SignatureFault } from './platform';
import type { Notification, Store } from './store';
import type { SerialMode } from './types';
import { parseFlatXml } from './v2/xml';

export { RETRY_SCHEDULE_SECONDS };
/** A notification held by `out_of_order` waits at most this long (sandbox seconds) for a successor. */
const OUT_OF_ORDER_WAIT_S = 30;
/** How much of an answer is read to decide an XML acknowledgement; real ones are ~100 bytes. */

/** An API v3 event: encrypted JSON resource, signed in headers. */
export interface JsonNotifyEvent {
  format?: 'json';
  eventType: string;
  summary: string;
  originalType: 'transaction' | 'refund';
  plaintext: Record<string, unknown>;
  url: string;
  outTradeNo: string;
  outRefundNo?: string;
}

/** An API v2 event: the XML body is final (signed or encrypted inside, nothing in headers). */
export interface XmlNotifyEvent {
  format: 'xml';
  eventType: string;
  body: string;
  /** What a bad_signature / probe_signature fault sends on the first attempt instead. */
  badBody: string;
  url: string;
  outTradeNo: string;
  outRefundNo?: string;
}

export type NotifyEvent = JsonNotifyEvent | XmlNotifyEvent;

export interface NotifierDeps {
  keys: SandboxKeys;
  clock: VirtualClock;
  scheduler: Scheduler;
  store: Store;
  faults: FaultSet;
  serialMode: () => SerialMode;
}

type PostResult = DeliveryAnswer;

/** API v2: only HTTP 200 with XML whose return_code is SUCCESS acknowledges. */
function xmlAcknowledges(result: PostResult): boolean {
  if (result.status !== 200 || result.head === undefined) return false;
  try {
    return parseFlatXml(result.head.trim()).return_code === 'SUCCESS';
  } catch {
    return false;
  }
}

interface Delivery {
  record: Notification;
  firstAttemptFault: SignatureFault;
  /** XML events: the body a signature fault sends instead on the first attempt. */
  badBody?: string;
}

export class Notifier {
  private readonly inFlight = new Set<ClientRequest>();
  private held: Delivery[] = [];
  private closed = false;

  constructor(private readonly deps: NotifierDeps) {}

  enqueue(event: NotifyEvent): Notification {
    const { store, faults } = this.deps;
    const id = eventId();
    const body = event.format === 'xml' ? event.body : this.jsonBody(id, event);
    const hits = faults.roll('notify');
    const record: Notification = {
      seq: store.nextSeq(),
      id,
      format: event.format ?? 'json',
      eventType: event.eventType,
      outTradeNo: event.outTradeNo,
      url: event.url,
      body,
      state: 'pending',
      attempts: [],
    };
    if (event.outRefundNo !== undefined) record.outRefundNo = event.outRefundNo;
    store.notifications.push(record);
    const delivery: Delivery = { record, firstAttemptFault: signatureFaultOf(hits.kinds) };
    if (event.format === 'xml') delivery.badBody = event.badBody;
    if (delivery.firstAttemptFault) record.fault = delivery.firstAttemptFault;

    if (hits.kinds.has('drop')) {
      record.state = 'dropped';
      record.fault = 'drop';
      return record;
    }
    const earlierHeld = this.held;
    this.held = [];
    if (hits.kinds.has('out_of_order')) {
      record.state = 'held';
      record.fault = 'out_of_order';
      this.held.push(delivery);
      this.deps.scheduler.after(OUT_OF_ORDER_WAIT_S, () => this.releaseHeld(delivery));
    }
    const start = async (): Promise<void> => {
      if (hits.latencyMs > 0) {
        record.fault = record.fault ?? 'delay';
        await this.deps.scheduler.sleepReal(hits.latencyMs);
      }
      if (record.state !== 'held') await this.attempt(delivery);
      // Anything held back for reordering goes out only after this later event's first try.
      for (const d of earlierHeld) this.releaseHeld(d);
    };
    void start();
    if (hits.kinds.has('duplicate')) {
      const copy: Notification = {
        ...record,
        seq: store.nextSeq(),
        attempts: [],
        fault: 'duplicate',
      };
      store.notifications.push(copy);
      void this.attempt({ record: copy, firstAttemptFault: undefined });
    }
    return record;
  }

  /** The v3 event envelope: AES-256-GCM resource under the APIv3 key. */
  private jsonBody(id: string, event: JsonNotifyEvent): string {
    const nonce = randomAlnum(12);
    return JSON.stringify({
      id,
      create_time: rfc3339Beijing(this.deps.clock.now()),
      resource_type: 'encrypt-resource',
      event_type: event.eventType,
      summary: event.summary,
      resource: {
        original_type: event.originalType,
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encryptResource(
          this.deps.keys.credentials.apiV3Key,
          nonce,
          event.originalType,
          JSON.stringify(event.plaintext),
        ),
        associated_data: event.originalType,
        nonce,
      },
    });
  }

  close(): void {
    this.closed = true;
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
  }

  private releaseHeld(delivery: Delivery): void {
    if (delivery.record.state !== 'held') return;
    this.held = this.held.filter((d) => d !== delivery);
    delivery.record.state = 'pending';
    void this.attempt(delivery);
  }

  private async attempt(delivery: Delivery): Promise<void> {
    if (this.closed) return;
    const { record } = delivery;
    const n = record.attempts.length + 1;
    const fault = n === 1 ? delivery.firstAttemptFault : undefined;
    const xml = record.format === 'xml';
    const body = xml && fault !== undefined ? (delivery.badBody ?? record.body) : record.body;
    const headers: Record<string, string> = xml
      ? { 'Content-Type': 'text/xml; charset=utf-8' }
      : {
          ...platformSignature(this.deps.keys, this.deps.serialMode(), record.body, fault),
          'Content-Type': 'application/json',
        };
    const started = Date.now();
    const at = rfc3339Beijing(this.deps.clock.now());
    delete record.nextAttemptAt;
    const result = await this.post(record.url, body, { ...headers, 'User-Agent': 'Mozilla/4.0' });
    if (this.closed) return;
    const acknowledged = xml
      ? xmlAcknowledges(result)
      : result.status === 200 || result.status === 204;
    recordAttempt(
      record,
      { n, at, started, answer: result, acknowledged },
      this.deps.clock.now(),
      (gap) => this.deps.scheduler.after(gap, () => void this.attempt(delivery)),
    );
  }

  private post(url: string, body: string, headers: Record<string, string>): Promise<PostResult> {
    return deliver(
      url,
      body,
      headers,
      deliveryTimeoutMs(this.deps.scheduler.timeScale),
      this.inFlight,
    );
  }
}
