/**
 * Crashes: the server process is SIGKILLed at each step of an order's life (mid-create, between
 * the cashier and the notification, mid-notification, mid-refund, and while orders expire), then
 * started again on the same database; everything must end right, within a bounded time, with
 * nothing applied twice. Real processes (dev/processes.ts): the sandbox and the server each run
 * as their own `node`, the server with its jobs on at a short interval. On SQLite (a file) and on
 * PostgreSQL when this machine can start one.
 *
 * The expiry case needs the TTL (≥ 60 s, the server's minimum) to pass while the server is dead:
 * each database has a second server process on a database of its own that places its orders
 * and is killed first thing, so those 60 s run while the other cases do.
 */
import type { Kysely } from 'kysely';
import { Client } from 'pg';
import path from 'node:path';
import { startProcessStack } from '../../dev/processes';
import type { NodeProcess, ProcessStack, ServerInstance } from '../../dev/processes';
import { postgresUnavailable, startPostgres } from '../../dev/postgres';
import type { TestPostgres } from '../../dev/postgres';
import { connectDatabase } from '../../server/db/connect';
import type { Database } from '../../server/db/schema';
import type { ApiError, CreatedOrder, Order, RefundResponse } from '../../typings/api';
import { call, cashier, createOrder, placedOrder, waitFor } from '../server/http';
import type { StackUrls } from '../server/http';
import { useTally } from './tally';
import type { Tally } from './tally';

type Db = 'sqlite' | 'postgres';

const pgProblem = postgresUnavailable();
if (pgProblem) console.warn(`\n!!! PostgreSQL crash tests SKIPPED: ${pgProblem} !!!\n`);
const DBS: Db[] = pgProblem ? ['sqlite'] : ['sqlite', 'postgres'];

const JOB_INTERVAL_MS = 250;
/** A prepay is queried by the job once it is this old: longer than any step before a kill. */
const QUERY_DELAY_S = 2;
const TIME_SCALE = 0.1; // sandbox retries after 1.5 s, 1.5 s, 3 s, 18 s…; refunds settle in 0.5 s
const ADMIN_TOKEN = 'crash-test-admin-token-0123456789';
/** Longest a recovery may take after the restart: the query delay and a few job rounds. */
const RECOVERY_MS = QUERY_DELAY_S * 1000 + 6 * JOB_INTERVAL_MS + 2000;
const EXPIRY_TTL_S = 60;

interface SandboxRefund {
  out_refund_no: string;
  status: string;
  amount: { refund: number };
}

interface SandboxNotification {
  id: string;
  eventType: string;
  outTradeNo?: string;
  state: string;
  attempts: { acknowledged: boolean; status?: number; error?: string }[];
}

interface SandboxOrder {
  outTradeNo: string;
  state: string;
  expired: boolean;
  total: number;
  transactionId?: string;
  successTime?: string;
  prepays: { prepayId: string }[];
  refunds: SandboxRefund[];
  notifications: SandboxNotification[];
}

/** The test's own connection to a server's database: it only reads (the server owns every write). */
const openReader = (url: string): Kysely<Database> => connectDatabase(url, 2).db;

interface Env {
  db: Db;
  stack: ProcessStack;
  reader: Kysely<Database>;
  /** Every server process the stack has had, killed ones first: their logs, for counting. */
  generations: NodeProcess[];
  expiry: {
    server: ServerInstance;
    reader: Kysely<Database>;
    urls: StackUrls;
    /** Orders with a prepay, and one never sent to WeChat. */
    prepaid: string[];
    unsent: string;
  };
  tally: Tally;
}

let pg: TestPostgres | undefined;
const envs = new Map<Db, Env>();
const tallies = new Map<Db, Tally>(DBS.map((db) => [db, useTally('crashes', db)]));

function envOf(db: Db): Env {
  const e = envs.get(db);
  if (!e) throw new Error(`no stack on ${db}`);
  return e;
}

async function setUp(db: Db): Promise<Env> {
  let databaseUrl: string | undefined;
  let expiryUrl: string | undefined;
  if (db === 'postgres') {
    if (!pg) throw new Error('PostgreSQL is not started');
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query('CREATE DATABASE expiry');
    await admin.end();
    databaseUrl = pg.url;
    expiryUrl = pg.url.replace(/\/postgres$/, '/expiry');
  }
  const stack = await startProcessStack({
    databaseUrl,
    serverEnv: {
      LOG_LEVEL: 'info',
      JOBS_ENABLED: 'true',
      JOB_INTERVAL_MS: String(JOB_INTERVAL_MS),
      QUERY_DELAY_SECONDS: String(QUERY_DELAY_S),
      ADMIN_TOKEN,
    },
    sandboxEnv: { SANDBOX_TIME_SCALE: String(TIME_SCALE) },
    keepOutput: 4 * 1024 * 1024,
  });
  try {
    expiryUrl ??= path.join(stack.dir, 'expiry.sqlite');
    const server = await stack.addServer({
      databaseUrl: expiryUrl,
      // Its query job would first look 30 s after a prepay: it is dead long before.
      env: { ORDER_TTL_SECONDS: String(EXPIRY_TTL_S), QUERY_DELAY_SECONDS: '30' },
    });
    const urls = { sandboxUrl: stack.sandboxUrl, serverUrl: server.url };
    const prepaid: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { p, o } = await placedOrder(urls, `expiry-${db}-${i}`);
      expect(p.status).toBe(200);
      prepaid.push(o.orderNo);
    }
    const unsent = (await createOrder(urls)).orderNo;
    // Dead before any of them can expire.
    await server.process.kill();
    return {
      db,
      stack,
      reader: openReader(stack.databaseUrl),
      generations: [],
      expiry: { server, reader: openReader(expiryUrl), urls, prepaid, unsent },
      tally: tallies.get(db) as Tally,
    };
  } catch (err) {
    await stack.close();
    throw err;
  }
}

beforeAll(async () => {
  if (DBS.includes('postgres')) pg = await startPostgres();
  await Promise.all(DBS.map(async (db) => envs.set(db, await setUp(db))));
}, 90_000);

afterAll(async () => {
  for (const e of envs.values()) {
    await e.reader.destroy();
    await e.expiry.reader.destroy();
    await e.stack.close();
  }
  await pg?.stop();
}, 30_000);

// ---------------------------------------------------------------------------------------------

async function crash(e: Env): Promise<void> {
  await e.stack.server.kill();
  e.generations.push(e.stack.server);
}

async function sandboxOrder(e: { stack: ProcessStack }, orderNo: string): Promise<SandboxOrder> {
  const r = await call<SandboxOrder>(`${e.stack.sandboxUrl}/sandbox/orders/${orderNo}`);
  if (r.status !== 200) throw new Error(`sandbox order ${orderNo}: ${r.status}`);
  return r.body;
}

async function setFaults(e: Env, list: unknown[]): Promise<void> {
  const r = await call(`${e.stack.sandboxUrl}/sandbox/faults`, { method: 'PUT', body: list });
  if (r.status !== 200) throw new Error(`faults: ${r.status} ${JSON.stringify(r.body)}`);
}

async function faultsApplied(e: Env): Promise<{ endpoint: string; applied: number }[]> {
  return (
    await call<{ faults: { endpoint: string; applied: number }[] }>(
      `${e.stack.sandboxUrl}/sandbox/faults`,
    )
  ).body.faults;
}

function orderRow(reader: Kysely<Database>, orderNo: string) {
  return reader
    .selectFrom('orders')
    .selectAll()
    .where('order_no', '=', orderNo)
    .executeTakeFirstOrThrow();
}

function refundRows(e: Env, orderNo: string) {
  return e.reader
    .selectFrom('refunds')
    .selectAll()
    .where('order_no', '=', orderNo)
    .orderBy('created_at')
    .execute();
}

/** "order paid" lines for `orderNo` in every server process's log: the payment applied. */
function paidLines(e: Env, orderNo: string): number {
  return [...e.generations, e.stack.server]
    .flatMap((p) => p.output().split('\n'))
    .filter((l) => l.includes('"msg":"order paid"') && l.includes(orderNo)).length;
}

/** placedOrder, paid at the cashier, and stored paid. */
async function paidOrder(e: Env, user: string) {
  const placed = await placedOrder(e.stack, user);
  expect(await cashier(e.stack, placed.s.openid, placed.p.body, 'success')).toBe(
    'requestPayment:ok',
  );
  await waitFor(
    async () => (await orderRow(e.reader, placed.o.orderNo)).status === 'paid',
    RECOVERY_MS,
  );
  return placed;
}

const refund = (e: Env, orderNo: string) =>
  call<RefundResponse & ApiError>(`${e.stack.serverUrl}/api/orders/${orderNo}/refund`, {
    token: ADMIN_TOKEN,
    body: {},
  });

/** Never rejects: a request cut by the kill resolves to its error. */
const settled = <T>(p: Promise<T>): Promise<T | Error> =>
  p.catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));

/** Runs `fn(0..n-1)` with at most `width` in flight. */
async function parallel(n: number, width: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
}

/**
 * The order's refunds all final, and matching WeChat: success here ⇔ SUCCESS there, a refund
 * closed here never made (or closed) there, at most one success, never more than was paid.
 */
async function expectRefundsSettled(e: Env, orderNo: string): Promise<void> {
  const rows = await refundRows(e, orderNo);
  const wx = await sandboxOrder(e, orderNo);
  const order = await orderRow(e.reader, orderNo);
  expect(rows.every((r) => r.status === 'success' || r.status === 'closed')).toBe(true);
  const ours = rows.filter((r) => r.status === 'success').map((r) => r.out_refund_no);
  const theirs = wx.refunds.filter((r) => r.status === 'SUCCESS').map((r) => r.out_refund_no);
  expect(ours.sort()).toEqual(theirs.sort());
  for (const r of rows.filter((x) => x.status === 'closed')) {
    const there = wx.refunds.find((x) => x.out_refund_no === r.out_refund_no);
    expect(there === undefined || there.status === 'CLOSED').toBe(true);
  }
  expect(ours.length).toBeLessThanOrEqual(1);
  const refundedThere = wx.refunds
    .filter((r) => r.status === 'SUCCESS')
    .reduce((sum, r) => sum + r.amount.refund, 0);
  expect(refundedThere).toBeLessThanOrEqual(order.total);
  expect(order.refunded).toBe(refundedThere);
  expect(order.status).toBe(refundedThere === order.total ? 'refunded' : 'paid');
}

// ---------------------------------------------------------------------------------------------

/**
 * Runs one case on every database at once, each on its own sandbox and server (so the two never
 * share faults or kills), and counts it per database. A server a failed case left dead is
 * started again, so the next case still has one.
 */
function onEach(name: string, run: (e: Env) => Promise<void>, timeoutMs: number): void {
  it(
    name,
    async () => {
      const results = await Promise.allSettled(
        DBS.map(async (db) => {
          const e = envOf(db);
          try {
            await e.tally.check(name, () => run(e));
          } finally {
            if (e.stack.server.child.exitCode !== null || e.stack.server.child.signalCode !== null)
              await e.stack.restartServer();
            await setFaults(e, []);
          }
        }),
      );
      const failed = results.flatMap((r, i) =>
        r.status === 'rejected'
          ? [
              `on ${DBS[i]}: ${r.reason instanceof Error ? (r.reason.stack ?? r.reason.message) : String(r.reason)}`,
            ]
          : [],
      );
      if (failed.length > 0) throw new Error(failed.join('\n\n'));
    },
    timeoutMs,
  );
}

describe(`SIGKILL at each step, restart, everything ends right (${DBS.join(' and ')} side by side)`, () => {
  onEach(
    'creates cut by the kill committed fully or not at all; a retry with the same key finds the one order',
    async (e) => {
      const N = 60;
      const WIDTH = 20;
      const KILL_AFTER = 8;
      const tag = `crash-create-${e.db}-${Date.now()}`;
      const bodyOf = (i: number) => ({
        items: [{ sku: i % 2 ? 'MUG-ENAMEL' : 'CUP-CLAY-01', quantity: 1 + (i % 3) }],
        remark: `${tag}-${i}`,
      });
      const post = (i: number) =>
        call<CreatedOrder>(`${e.stack.serverUrl}/api/orders`, {
          body: bodyOf(i),
          headers: { 'idempotency-key': `${tag}-${i}` },
        });
      const before: (CreatedOrder | Error)[] = new Array<CreatedOrder | Error>(N);
      let answered = 0;
      let killed: Promise<void> | undefined;
      // A stream of creates, 20 in flight; SIGKILL the moment the 8th is answered.
      await parallel(N, WIDTH, async (i) => {
        const r = await settled(post(i));
        if (r instanceof Error) {
          before[i] = r;
          return;
        }
        expect(r.status).toBe(201);
        before[i] = r.body;
        answered += 1;
        if (answered === KILL_AFTER) killed = crash(e);
      });
      await killed;
      const cut = before.filter((r) => r instanceof Error).length;
      // The kill landed mid-stream: some creates had no answer.
      expect(cut).toBeGreaterThan(0);

      // What the dead server left: only whole rows, each one of ours at most once.
      const left = await e.reader
        .selectFrom('orders')
        .selectAll()
        .where('remark', 'like', `${tag}-%`)
        .execute();
      expect(new Set(left.map((r) => r.remark)).size).toBe(left.length);
      for (const r of left) {
        expect(r.status).toBe('pending');
        expect(r.goods + r.shipping - r.discount).toBe(r.total);
        expect(r.access_hash).not.toBeNull();
        expect(r.idempotency_key).not.toBeNull();
      }
      for (const r of before) {
        if (!(r instanceof Error)) expect(left.some((x) => x.order_no === r.orderNo)).toBe(true);
      }

      await e.stack.restartServer();
      const finals: Order[] = [];
      let committedUnanswered = 0;
      for (let i = 0; i < N; i++) {
        const r = await post(i);
        const first = before[i];
        if (first instanceof Error) {
          expect([200, 201]).toContain(r.status);
          const had = left.find((x) => x.remark === `${tag}-${i}`);
          // 200 exactly when the cut create had committed; then it is that order.
          expect(r.status === 200).toBe(had !== undefined);
          if (had) {
            expect(r.body.orderNo).toBe(had.order_no);
            committedUnanswered += 1;
          }
        } else {
          expect(r.status).toBe(200);
          expect(r.body.orderNo).toBe(first?.orderNo);
        }
        const read = await call<Order>(`${e.stack.serverUrl}/api/orders/${r.body.orderNo}`, {
          headers: { 'x-order-token': r.body.orderToken },
        });
        expect(read.status).toBe(200);
        expect(read.body.remark).toBe(`${tag}-${i}`);
        expect(read.body.breakdown.total).toBe(read.body.total);
        finals.push(read.body);
      }
      const rows = await e.reader
        .selectFrom('orders')
        .select(['order_no', 'total'])
        .where('remark', 'like', `${tag}-%`)
        .execute();
      // One order per key: N keys, N rows, N distinct numbers.
      expect(rows).toHaveLength(N);
      expect(new Set(finals.map((o) => o.orderNo)).size).toBe(N);
      expect(new Set(rows.map((r) => r.order_no))).toEqual(new Set(finals.map((o) => o.orderNo)));
      console.log(
        `[${e.db}] create kill: ${N - cut} answered before the kill, ${cut} cut (${committedUnanswered} of them had committed)`,
      );
    },
    60_000,
  );

  onEach(
    'a payment whose notification is lost is found by the query job of the restarted server',
    async (e) => {
      await setFaults(e, [{ endpoint: 'notify', kind: 'drop' }]);
      const { s, o, p } = await placedOrder(e.stack, `lost-notify-${e.db}`);
      expect(await cashier(e.stack, s.openid, p.body, 'success')).toBe('requestPayment:ok');
      await crash(e);
      await setFaults(e, []);
      const wx = await sandboxOrder(e, o.orderNo);
      expect(wx.state).toBe('SUCCESS');
      expect(wx.notifications.map((n) => n.state)).toEqual(['dropped']);
      // The dead server knew nothing of it and had not asked WeChat yet.
      const dead = await orderRow(e.reader, o.orderNo);
      expect(dead.status).toBe('pending');
      expect(dead.last_query_at).toBeNull();

      await e.stack.restartServer();
      const row = await waitFor(async () => {
        const r = await orderRow(e.reader, o.orderNo);
        return r.status === 'paid' && r;
      }, RECOVERY_MS);
      expect(row.transaction_id).toBe(wx.transactionId);
      expect(row.paid_at).toBe(Date.parse(wx.successTime ?? ''));
      // The line is written just after the commit the reader saw, and reaches this process
      // through a pipe: wait for it to arrive, then there must be exactly one.
      await waitFor(async () => paidLines(e, o.orderNo) > 0, RECOVERY_MS);
      expect(paidLines(e, o.orderNo)).toBe(1);
    },
    30_000,
  );

  onEach(
    'notifications cut by the kill are redelivered and applied once',
    async (e) => {
      const N = 6;
      const placed: Awaited<ReturnType<typeof placedOrder>>[] = [];
      for (let i = 0; i < N; i++)
        placed.push(await placedOrder(e.stack, `notify-kill-${e.db}-${i}`));
      const nos = new Set(placed.map((x) => x.o.orderNo));
      // Every notification sent twice at once; the first three also held back 600 ms.
      await setFaults(e, [
        { endpoint: 'notify', kind: 'duplicate' },
        { endpoint: 'notify', kind: 'delay', latencyMs: 600, times: 3 },
      ]);
      const ours = async () =>
        (
          await call<{ notifications: SandboxNotification[] }>(
            `${e.stack.sandboxUrl}/sandbox/notifications`,
          )
        ).body.notifications.filter((n) => n.outTradeNo !== undefined && nos.has(n.outTradeNo));
      const paying = Promise.all(
        placed.map(({ s, p }) => cashier(e.stack, s.openid, p.body, 'success')),
      );
      // SIGKILL as soon as the first delivery is acknowledged: the others are in flight or due.
      await waitFor(async () => (await ours()).some((n) => n.state === 'delivered'), 10_000);
      await crash(e);
      expect(await paying).toEqual(new Array(N).fill('requestPayment:ok'));
      await setFaults(e, []);
      // Every delivery tried once (the delayed ones against the dead server) before the restart.
      const cut = await waitFor(async () => {
        const list = await ours();
        return (
          list.length === 2 * N &&
          list.every((n) => n.state === 'delivered' || n.attempts.length > 0) &&
          list
        );
      }, 10_000);
      expect(cut.some((n) => n.attempts.some((a) => !a.acknowledged))).toBe(true);

      await e.stack.restartServer();
      await waitFor(async () => {
        const list = await ours();
        if (!list.every((n) => n.state === 'delivered')) return false;
        const rows = await e.reader
          .selectFrom('orders')
          .select('status')
          .where('order_no', 'in', [...nos])
          .execute();
        return rows.every((r) => r.status === 'paid');
      }, 30_000);
      const list = await ours();
      for (const { o } of placed) {
        const wx = await sandboxOrder(e, o.orderNo);
        const row = await orderRow(e.reader, o.orderNo);
        expect(row.status).toBe('paid');
        expect(row.transaction_id).toBe(wx.transactionId);
        expect(row.paid_at).toBe(Date.parse(wx.successTime ?? ''));
        // One event per order, delivered as two copies with one id: one row, that id.
        const ids = [...new Set(list.filter((n) => n.outTradeNo === o.orderNo).map((n) => n.id))];
        expect(ids).toHaveLength(1);
        const recorded = await e.reader
          .selectFrom('notifications')
          .select('id')
          .where('order_no', '=', o.orderNo)
          .execute();
        expect(recorded.map((r) => r.id)).toEqual(ids);
        // Applied at most once (a kill between the commit and the log line can leave none).
        expect(paidLines(e, o.orderNo)).toBeLessThanOrEqual(1);
      }
      const failedAttempts = list.flatMap((n) => n.attempts).filter((a) => !a.acknowledged);
      console.log(
        `[${e.db}] notification kill: ${list.length} deliveries, ${failedAttempts.length} failed attempts before the restart answered`,
      );
    },
    60_000,
  );

  onEach(
    'a refund WeChat made but the server never heard of is settled by the restarted refund job, once',
    async (e) => {
      const { o } = await paidOrder(e, `refund-made-${e.db}`);
      // The answer fails its signature check: WeChat has made the refund, the server cannot
      // know it. Refund notifications dropped: only the refund job can learn the outcome.
      await setFaults(e, [
        { endpoint: 'notify', kind: 'drop' },
        { endpoint: 'refund', kind: 'bad_signature', times: 1 },
      ]);
      const first = await refund(e, o.orderNo);
      expect(first.status).toBe(502);
      const [recorded] = await refundRows(e, o.orderNo);
      expect(recorded?.status).toBe('processing');
      // Killed before any job looked at it (its first look is a query delay away).
      await crash(e);
      expect(await refundRows(e, o.orderNo)).toEqual([recorded]);
      const made = (await sandboxOrder(e, o.orderNo)).refunds;
      expect(made.map((r) => r.out_refund_no)).toEqual([recorded?.out_refund_no]);

      await e.stack.restartServer();
      await waitFor(
        async () => (await orderRow(e.reader, o.orderNo)).status === 'refunded',
        RECOVERY_MS,
      );
      await expectRefundsSettled(e, o.orderNo);
      const [row] = await refundRows(e, o.orderNo);
      expect(row?.status).toBe('success');
      expect(row?.amount).toBe(o.total);
      // Nothing is left to refund, and asking again makes nothing at WeChat.
      const again = await refund(e, o.orderNo);
      expect(again.status).toBe(400);
      expect((await sandboxOrder(e, o.orderNo)).refunds).toHaveLength(1);
    },
    30_000,
  );

  onEach(
    'a refund that never reached WeChat is closed after the restart and can be made again, once',
    async (e) => {
      const { o } = await paidOrder(e, `refund-lost-${e.db}`);
      await setFaults(e, [
        { endpoint: 'notify', kind: 'drop' },
        { endpoint: 'refund', kind: 'timeout', times: 1 },
      ]);
      const sent = settled(refund(e, o.orderNo));
      await waitFor(async () => {
        const rows = await refundRows(e, o.orderNo);
        const f = (await faultsApplied(e)).find((x) => x.endpoint === 'refund');
        return rows.length === 1 && (f?.applied ?? 0) >= 1;
      }, 5000);
      await crash(e);
      expect(await sent).toBeInstanceOf(Error);
      expect((await sandboxOrder(e, o.orderNo)).refunds).toEqual([]);

      await e.stack.restartServer();
      // WeChat has no such refund: the job closes it and the amount is free again.
      await waitFor(
        async () => (await refundRows(e, o.orderNo))[0]?.status === 'closed',
        RECOVERY_MS,
      );
      const order = await orderRow(e.reader, o.orderNo);
      expect(order.status).toBe('paid');
      expect(order.refunded).toBe(0);
      const retry = await refund(e, o.orderNo);
      expect(retry.status).toBe(200);
      expect(retry.body.amount).toBe(o.total);
      await waitFor(
        async () => (await orderRow(e.reader, o.orderNo)).status === 'refunded',
        RECOVERY_MS,
      );
      await expectRefundsSettled(e, o.orderNo);
      const wx = await sandboxOrder(e, o.orderNo);
      expect(wx.refunds).toHaveLength(1);
      expect(wx.refunds[0]?.out_refund_no).toBe(retry.body.outRefundNo);
      expect((await refundRows(e, o.orderNo)).map((r) => r.status)).toEqual(['closed', 'success']);
    },
    30_000,
  );

  onEach(
    'refunds cut the moment they are sent end in one final state matching WeChat',
    async (e) => {
      const orders = await Promise.all(
        [0, 1, 2].map(async (i) => (await paidOrder(e, `refund-cut-${e.db}-${i}`)).o),
      );
      await setFaults(e, [{ endpoint: 'notify', kind: 'drop' }]);
      const sent = orders.map((o) => settled(refund(e, o.orderNo)));
      // Killed as soon as the server has recorded one of them: the rest at whatever step.
      await waitFor(
        async () =>
          (
            await e.reader
              .selectFrom('refunds')
              .select('out_refund_no')
              .where(
                'order_no',
                'in',
                orders.map((o) => o.orderNo),
              )
              .execute()
          ).length > 0,
        5000,
      );
      await crash(e);
      const answers = await Promise.all(sent);

      await e.stack.restartServer();
      const paths = await Promise.all(
        orders.map(async (o) => {
          // Whatever the kill left settles without help…
          await waitFor(
            async () => (await refundRows(e, o.orderNo)).every((r) => r.status !== 'processing'),
            RECOVERY_MS,
          );
          await expectRefundsSettled(e, o.orderNo);
          const left = (await refundRows(e, o.orderNo)).map((r) => r.status).join('+') || 'none';
          // …and an admin's retry refunds what is left, once.
          if ((await orderRow(e.reader, o.orderNo)).status === 'paid') {
            const retry = await refund(e, o.orderNo);
            expect(retry.status).toBe(200);
            await waitFor(
              async () => (await orderRow(e.reader, o.orderNo)).status === 'refunded',
              RECOVERY_MS,
            );
          }
          await expectRefundsSettled(e, o.orderNo);
          const wx = await sandboxOrder(e, o.orderNo);
          expect(wx.refunds.filter((r) => r.status === 'SUCCESS')).toHaveLength(1);
          expect((await refund(e, o.orderNo)).status).toBe(400);
          return left;
        }),
      );
      console.log(
        `[${e.db}] refund kill: answers ${answers.map((a) => (a instanceof Error ? 'cut' : a.status)).join(', ')}; left by the kill: ${paths.join(', ')}`,
      );
    },
    40_000,
  );

  // Last: by now the expiry servers' orders have run out their TTL while those servers were dead.
  onEach(
    'orders whose TTL passed while the server was dead are closed here and at WeChat within two job intervals of the restart',
    async (e) => {
      const { reader, prepaid, unsent, server } = e.expiry;
      const all = [...prepaid, unsent];
      const rows = await reader
        .selectFrom('orders')
        .select(['order_no', 'status', 'expires_at', 'prepay_id'])
        .where('order_no', 'in', all)
        .execute();
      expect(rows.map((r) => r.status)).toEqual(all.map(() => 'pending'));
      const lastExpiry = Math.max(...rows.map((r) => r.expires_at));
      // The TTL runs out while the server is dead (WeChat sees it too).
      await waitFor(
        async () => {
          if (Date.now() <= lastExpiry + 100) return false;
          const wx = await Promise.all(prepaid.map((no) => sandboxOrder(e, no)));
          return wx.every((o) => o.expired && o.state === 'NOTPAY');
        },
        EXPIRY_TTL_S * 1000 + 30_000,
      );
      expect(server.process.child.signalCode).toBe('SIGKILL');
      const stillPending = await reader
        .selectFrom('orders')
        .select('status')
        .where('order_no', 'in', all)
        .execute();
      expect(stillPending.every((r) => r.status === 'pending')).toBe(true);

      await server.restart();
      const up = performance.now();
      await waitFor(
        async () => {
          const now = await reader
            .selectFrom('orders')
            .select('status')
            .where('order_no', 'in', all)
            .execute();
          if (!now.every((r) => r.status === 'closed')) return false;
          const wx = await Promise.all(prepaid.map((no) => sandboxOrder(e, no)));
          return wx.every((o) => o.state === 'CLOSED');
        },
        // Two job intervals, and a second for a cold process on a busy machine.
        2 * JOB_INTERVAL_MS + 1000,
      );
      const took = performance.now() - up;
      // The order that never reached WeChat was closed without it.
      const unknown = await call(`${e.stack.sandboxUrl}/sandbox/orders/${unsent}`);
      expect(unknown.status).toBe(404);
      console.log(
        `[${e.db}] expiry: ${all.length} orders closed ${Math.round(took)} ms after the restart answered (job interval ${JOB_INTERVAL_MS} ms)`,
      );
    },
    EXPIRY_TTL_S * 1000 + 40_000,
  );
});
