/**
 * Background jobs in the server process:
 * - query: pending orders whose prepay is older than QUERY_DELAY_SECONDS are queried and settled
 *   (covers lost notifications);
 * - close: expired pending orders are closed through WeChat, then queried to confirm.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { ServerConfig } from '../config';
import type { Storage } from '../db/connect';
import type { OrderRecords } from '../services/order-records';
import type { Refunds } from '../services/refunds';
import type { Settlement } from '../services/settlement';
import type { SessionService } from '../services/sessions';

const LEASE_MS = 60_000;
const BATCH = 20;

export interface JobDeps {
  config: ServerConfig;
  storage: Storage;
  records: OrderRecords;
  settlement: Settlement;
  refunds: Refunds;
  sessions: SessionService;
  clock: Clock;
  logger: Logger;
}

/** Queries pending orders past the delay. Returns how many were examined. */
export async function runQueryJob(d: JobDeps): Promise<number> {
  const now = d.clock.now();
  const delayMs = d.config.queryDelaySeconds * 1000;
  const rows = await d.storage.orders.claim(
    (eb) =>
      eb.and([
        eb('status', '=', 'pending'),
        eb('prepay_at', 'is not', null),
        eb('prepay_at', '<=', now - delayMs),
        eb('next_check_at', '<=', now),
        eb('expires_at', '>', now),
      ]),
    { now, leaseMs: LEASE_MS, limit: BATCH },
  );
  for (const row of rows) {
    try {
      // Read again: earlier rows' WeChat calls may have given a notification time to land.
      await d.settlement.refresh(await d.records.get(row.order_no), true);
    } catch (err) {
      d.logger.warn({ orderNo: row.order_no, err: String(err) }, 'query job: query failed');
    } finally {
      // The next query waits a delay, but never past expiry: at expiry the close job takes over
      // (it claims only orders whose next check is due), so capping here keeps it on time.
      await d.storage.orders.release(
        row.order_no,
        Math.min(d.clock.now() + Math.max(delayMs, d.config.jobIntervalMs), row.expires_at),
      );
    }
  }
  return rows.length;
}

/** Closes expired pending orders. Returns how many were examined. */
export async function runCloseJob(d: JobDeps): Promise<number> {
  const now = d.clock.now();
  const rows = await d.storage.orders.claim(
    (eb) =>
      eb.and([
        eb('status', '=', 'pending'),
        eb('expires_at', '<=', now),
        eb('next_check_at', '<=', now),
      ]),
    { now, leaseMs: LEASE_MS, limit: BATCH },
  );
  for (const row of rows) {
    try {
      const result = await d.settlement.closeExpired(row);
      d.logger.info({ orderNo: row.order_no, result }, 'close job');
    } catch (err) {
      d.logger.warn({ orderNo: row.order_no, err: String(err) }, 'close job: failed, will retry');
    } finally {
      await d.storage.orders.release(row.order_no, d.clock.now() + d.config.jobIntervalMs);
    }
  }
  return rows.length;
}

/** Refunds still processing after the query delay are asked about (covers lost refund notifications). */
export async function runRefundJob(d: JobDeps): Promise<number> {
  const due = d.clock.now() - Math.max(d.config.queryDelaySeconds * 1000, 1000);
  const refunds = await d.storage.refunds.dueProcessing(due, BATCH);
  for (const outRefundNo of refunds) {
    try {
      await d.refunds.refreshRefund(outRefundNo);
    } catch (err) {
      d.logger.warn({ outRefundNo, err: String(err) }, 'refund job: query failed');
    }
    // Look again only after another delay, whatever the answer.
    await d.storage.refunds.touchProcessing(outRefundNo, d.clock.now());
  }
  return refunds.length;
}

export interface JobRunner {
  /** Runs one round of the jobs (tests call this to avoid waiting for the timer). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

export function startJobs(d: JobDeps): JobRunner {
  let running: Promise<void> | undefined;
  let stopped = false;
  const runOnce = async (): Promise<void> => {
    if (running) return running;
    running = (async () => {
      try {
        await runCloseJob(d);
        await runQueryJob(d);
        await runRefundJob(d);
        await d.sessions.purgeExpired();
      } catch (err) {
        d.logger.error({ err: String(err) }, 'job round failed');
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = d.config.jobsEnabled
    ? setInterval(() => {
        if (!stopped) void runOnce();
      }, d.config.jobIntervalMs)
    : undefined;
  timer?.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (running) await running;
    },
  };
}
