/**
 * Two server processes on one PostgreSQL: the same database, credentials and notify URL, each on
 * its own port with its jobs on. Creates, pays and notifications are spread over both; one is
 * SIGKILLed mid-load (its requests fail over to the other, as behind a load balancer) and started
 * again; then the unpaid orders expire with both instances' close jobs racing for them.
 *
 * WeChat posts every notification to one NOTIFY_URL (it must be the same for both instances, or
 * a second JSAPI call for an order would carry other parameters and be refused). Here that URL
 * is a small forwarder in the test that re-posts each delivery, byte for byte with its headers,
 * to both instances at once: every notification is handled by two processes concurrently (and
 * the sandbox's `duplicate` fault doubles some again). The sandbox's request log (SANDBOX_LOG=1)
 * is what WeChat saw: queries and closes per order.
 *
 * Last, a short throughput run of first pays against one instance and against two (2 cores).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus } from 'node:os';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { Client } from 'pg';
import {
  createOrders,
  describeLoad,
  load,
  paySetupRequest,
  sessions as benchSessions,
} from '../../bench/api';
import type { LoadResult } from '../../bench/api';
import { cpuMsOf, startProcessStack } from '../../dev/processes';
import type { NodeProcess, ProcessStack, ServerInstance } from '../../dev/processes';
import { postgresUnavailable, startPostgres } from '../../dev/postgres';
import type { TestPostgres } from '../../dev/postgres';
import { connectDatabase } from '../../server/db/connect';
import type { Database } from '../../server/db/schema';
import type { CreatedOrder } from '../../typings/api';
import { call, cashier, pay, session, waitFor } from '../server/http';
import { useTally } from './tally';

const pgProblem = postgresUnavailable();
if (pgProblem) console.warn(`\n!!! PostgreSQL two-instance tests SKIPPED: ${pgProblem} !!!\n`);
const maybe = pgProblem ? describe.skip : describe;

const JOB_INTERVAL_MS = 200;
const QUERY_DELAY_S = 2;
const ORDER_TTL_S = 60; // the server's minimum
/** A crashed instance's claims on orders lapse after this (server/jobs LEASE_MS). */
const LEASE_MS = 60_000;
const ORDERS = 60;
/** B is SIGKILLed when this many orders are through, mid-stream. */
const KILL_AFTER = 20;

interface SandboxOrder {
  outTradeNo: string;
  state: string;
  total: number;
  payerOpenid: string;
  transactionId?: string;
  successTime?: string;
  prepays: { prepayId: string }[];
  notifications: { id: string; state: string }[];
}

interface Planned {
  i: number;
  key: string;
  /** Never sent to WeChat (no pay), paid at the cashier, or placed and left unpaid. */
  kind: 'unsent' | 'paid' | 'unpaid';
  order?: CreatedOrder;
  createdVia?: string;
  paidVia?: string;
}

/** What the forwarder saw of one delivery: each instance's status, 0 when unreachable. */
interface Forwarded {
  id: string;
  statuses: Record<string, number>;
}

/** WeChat's single notify URL: each delivery re-posted as received to every instance at once. */
async function startForwarder(
  targets: () => { name: string; url: string }[],
): Promise<{ url: string; seen: Forwarded[]; server: Server }> {
  const seen: Forwarded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (['host', 'connection', 'content-length', 'transfer-encoding'].includes(k)) continue;
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      let id = '?';
      try {
        id = (JSON.parse(body.toString('utf8')) as { id: string }).id;
      } catch {
        // not JSON: the instances will say so
      }
      void Promise.all(
        targets().map(async (t) => {
          try {
            const r = await fetch(`${t.url}${req.url ?? ''}`, { method: 'POST', headers, body });
            await r.arrayBuffer();
            return [t.name, r.status] as const;
          } catch {
            return [t.name, 0] as const;
          }
        }),
      ).then((answers) => {
        seen.push({ id, statuses: Object.fromEntries(answers) });
        const acked = answers.some(([, s]) => s === 200 || s === 204);
        res.statusCode = acked ? 204 : answers.find(([, s]) => s >= 400)?.[1] || 502;
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

/** fetch's network failure (a TypeError of Node's realm, not Jest's: compared by name). */
const isUnreachable = (err: unknown): boolean =>
  typeof err === 'object' &&
  err !== null &&
  (err as Error).name === 'TypeError' &&
  (err as Error).message === 'fetch failed';

/** The test's own connection to a server's database: it only reads (the server owns every write). */
const openReader = (url: string): Kysely<Database> => connectDatabase(url, 2).db;

/** The sandbox's request log: method and URL of every request WeChat received. */
function wechatRequests(sandbox: NodeProcess): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  for (const line of sandbox.output().split('\n')) {
    if (!line.includes('"incoming request"')) continue;
    try {
      const entry = JSON.parse(line) as { req?: { method: string; url: string } };
      if (entry.req) out.push(entry.req);
    } catch {
      // a partial line at the start of the kept output
    }
  }
  return out;
}

/** Busy and total jiffies of the whole machine so far (Linux /proc/stat): how loaded it was. */
function machineCpu(): { busy: number; total: number } {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** Runs `fn(0..n-1)` with at most `width` in flight. */
async function parallel(n: number, width: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
}

maybe('two server processes on one PostgreSQL', () => {
  const tally = useTally('instances', 'postgres');
  let pg: TestPostgres;
  let stack: ProcessStack;
  let b: ServerInstance;
  let reader: Kysely<Database>;
  let forwarder: Awaited<ReturnType<typeof startForwarder>>;
  /** Instance B's processes: the one killed, then the one started again. */
  const bGenerations: NodeProcess[] = [];
  const planned: Planned[] = [];
  let runStart = 0;

  const instances = () => [
    { name: 'A', url: stack.serverUrl },
    { name: 'B', url: b.url },
  ];

  beforeAll(async () => {
    pg = await startPostgres();
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    forwarder = await startForwarder(instances);
    stack = await startProcessStack({
      databaseUrl: pg.url,
      serverEnv: {
        LOG_LEVEL: 'info',
        JOBS_ENABLED: 'true',
        JOB_INTERVAL_MS: String(JOB_INTERVAL_MS),
        QUERY_DELAY_SECONDS: String(QUERY_DELAY_S),
        ORDER_TTL_SECONDS: String(ORDER_TTL_S),
        NOTIFY_URL: `${forwarder.url}/api/pay/notify`,
      },
      sandboxEnv: { SANDBOX_TIME_SCALE: '0.1', SANDBOX_LOG: '1' },
      keepOutput: 32 * 1024 * 1024,
    });
    b = await stack.addServer();
    reader = openReader(pg.url);
  }, 60_000);

  afterAll(async () => {
    await reader?.destroy();
    await stack?.close();
    await new Promise((resolve) => forwarder?.server.close(resolve));
    await pg?.stop();
  }, 30_000);

  let failovers = 0;
  /** Tries instance `first`, then the other when it cannot be reached (a dead process). */
  async function onAny<T>(first: number, fn: (url: string) => Promise<T>) {
    const order = [first % 2, (first + 1) % 2];
    let last: unknown;
    for (const k of order) {
      const inst = instances()[k] as { name: string; url: string };
      try {
        return { value: await fn(inst.url), via: inst.name };
      } catch (err) {
        if (!isUnreachable(err)) throw err;
        failovers += 1;
        last = err;
      }
    }
    throw last;
  }

  const row = (orderNo: string) =>
    reader.selectFrom('orders').selectAll().where('order_no', '=', orderNo).executeTakeFirst();

  const sandboxOrder = async (orderNo: string) =>
    call<SandboxOrder>(`${stack.sandboxUrl}/sandbox/orders/${orderNo}`);

  it('creates, pays and notifications spread over both, one SIGKILLed mid-load: every order right', async () => {
    runStart = Date.now();
    await call(`${stack.sandboxUrl}/sandbox/faults`, {
      method: 'PUT',
      body: [{ endpoint: 'notify', kind: 'duplicate', rate: 0.5 }],
    });
    const payers = await Promise.all(
      Array.from({ length: 10 }, (_, k) =>
        onAny(k, (url) => session({ sandboxUrl: stack.sandboxUrl, serverUrl: url }, `inst-${k}`)),
      ),
    );
    for (let i = 0; i < ORDERS; i++) {
      planned.push({
        i,
        key: `instances-${runStart}-${i}`,
        kind: i % 10 === 9 ? 'unsent' : i % 4 === 3 ? 'unpaid' : 'paid',
      });
    }
    let done = 0;
    let restarted: Promise<void> | undefined;
    const one = async (i: number): Promise<void> => {
      const p = planned[i] as Planned;
      const payer = payers[i % payers.length]?.value;
      if (!payer) throw new Error('no payer');
      const created = await onAny(i, (url) =>
        call<CreatedOrder>(`${url}/api/orders`, {
          body: { items: [{ sku: 'MUG-ENAMEL', quantity: 1 + (i % 3) }] },
          headers: { 'idempotency-key': p.key },
        }),
      );
      expect([200, 201]).toContain(created.value.status);
      p.order = created.value.body;
      p.createdVia = created.via;
      if (p.kind !== 'unsent') {
        // Paid through the other instance than the one that created it, when both are up.
        const paid = await onAny(i + 1, (url) =>
          pay(
            { sandboxUrl: stack.sandboxUrl, serverUrl: url },
            p.order as CreatedOrder,
            payer.token,
          ),
        );
        const r = paid.value;
        expect(r.status).toBe(200);
        p.paidVia = paid.via;
        if (p.kind === 'paid') {
          expect(await cashier(stack, payer.openid, r.body, 'success')).toBe('requestPayment:ok');
        }
      }
      done += 1;
      if (done === KILL_AFTER) {
        // SIGKILL B mid-load, and start it again at once: the load goes on meanwhile.
        bGenerations.push(b.process);
        restarted = b.process
          .kill()
          .then(() => b.restart())
          .then((p) => {
            bGenerations.push(p);
          });
      }
    };
    // Two thirds of the orders in one stream, B killed in its middle; the last third once B is
    // back, so both instances share it again.
    const phase2 = Math.round((ORDERS * 2) / 3);
    await parallel(phase2, 6, one);
    await restarted;
    await parallel(ORDERS - phase2, 6, (k) => one(phase2 + k));
    expect(bGenerations[0]?.child.signalCode).toBe('SIGKILL');
    expect(bGenerations).toHaveLength(2);
    // B took requests before the kill (and after its restart); A took B's while it was down.
    expect(planned.some((p) => p.createdVia === 'B')).toBe(true);
    console.log(
      `load: ${ORDERS} orders; created on A ${planned.filter((p) => p.createdVia === 'A').length}, ` +
        `on B ${planned.filter((p) => p.createdVia === 'B').length}; paid on A ` +
        `${planned.filter((p) => p.paidVia === 'A').length}, on B ${planned.filter((p) => p.paidVia === 'B').length}; ` +
        `${failovers} requests failed over to the other instance`,
    );

    await tally.check('one order per Idempotency-Key across instances and the kill', async () => {
      const rows = await reader
        .selectFrom('orders')
        .select(['order_no', 'idempotency_key'])
        .where('created_at', '>=', runStart)
        .execute();
      expect(rows).toHaveLength(ORDERS);
      expect(new Set(rows.map((r) => r.order_no))).toEqual(
        new Set(planned.map((p) => p.order?.orderNo)),
      );
      // Asking again, on either instance, gives the same order.
      for (const p of planned.slice(0, 8)) {
        const again = await call<CreatedOrder>(`${instances()[p.i % 2]?.url}/api/orders`, {
          body: { items: [{ sku: 'MUG-ENAMEL', quantity: 1 + (p.i % 3) }] },
          headers: { 'idempotency-key': p.key },
        });
        expect(again.status).toBe(200);
        expect(again.body.orderNo).toBe(p.order?.orderNo);
      }
    });

    const paid = planned.filter((p) => p.kind === 'paid');
    await tally.check('every paid order paid, with WeChat transaction id', async () => {
      await waitFor(async () => {
        const rows = await reader
          .selectFrom('orders')
          .select('status')
          .where(
            'order_no',
            'in',
            paid.map((p) => p.order?.orderNo ?? ''),
          )
          .execute();
        return rows.length === paid.length && rows.every((r) => r.status === 'paid');
      }, 20_000);
      for (const p of paid) {
        const no = p.order?.orderNo ?? '';
        const wx = (await sandboxOrder(no)).body;
        const r = await row(no);
        expect(wx.state).toBe('SUCCESS');
        expect(r?.status).toBe('paid');
        expect(r?.transaction_id).toBe(wx.transactionId);
        expect(r?.paid_at).toBe(Date.parse(wx.successTime ?? ''));
      }
    });

    await tally.check('each notification recorded once though both instances got it', async () => {
      await waitFor(async () => {
        for (const p of paid) {
          const wx = (await sandboxOrder(p.order?.orderNo ?? '')).body;
          if (!wx.notifications.every((n) => n.state === 'delivered')) return false;
        }
        return true;
      }, 30_000);
      const outputs = [stack.server, ...bGenerations].map((proc) => proc.output());
      for (const p of paid) {
        const no = p.order?.orderNo ?? '';
        const wx = (await sandboxOrder(no)).body;
        const ids = [...new Set(wx.notifications.map((n) => n.id))];
        expect(ids).toHaveLength(1);
        const recorded = await reader
          .selectFrom('notifications')
          .select('id')
          .where('order_no', '=', no)
          .execute();
        expect(recorded.map((r) => r.id)).toEqual(ids);
        // Applied by one process only (a kill between commit and log line can leave none).
        const lines = outputs
          .flatMap((o) => o.split('\n'))
          .filter((l) => l.includes('"msg":"order paid"') && l.includes(no));
        expect(lines.length).toBeLessThanOrEqual(1);
      }
      // The forwarder really had both instances handle the same notifications.
      const both = forwarder.seen.filter(
        (f) => [204, 200].includes(f.statuses.A ?? 0) && [204, 200].includes(f.statuses.B ?? 0),
      );
      expect(both.length).toBeGreaterThan(0);
      const ids = new Set(forwarder.seen.map((f) => f.id));
      console.log(
        `notifications: ${forwarder.seen.length} deliveries of ${ids.size} ids re-posted to both instances; ` +
          `${both.length} acknowledged by both, ${forwarder.seen.filter((f) => f.statuses.B === 0).length} while B was down`,
      );
    });

    await tally.check(
      'one WeChat order and one prepay per order, unpaid ones pending at both',
      async () => {
        const all = (await call<{ orders: SandboxOrder[] }>(`${stack.sandboxUrl}/sandbox/orders`))
          .body.orders;
        const ours = new Map(planned.map((p) => [p.order?.orderNo ?? '', p]));
        const placed = all.filter((o) => ours.has(o.outTradeNo));
        expect(placed.map((o) => o.outTradeNo).sort()).toEqual(
          planned
            .filter((p) => p.kind !== 'unsent')
            .map((p) => p.order?.orderNo)
            .sort(),
        );
        for (const o of placed) {
          expect(o.prepays).toHaveLength(1);
          const r = await row(o.outTradeNo);
          expect(r?.prepay_id).toBe(o.prepays[0]?.prepayId);
          expect(o.total).toBe(r?.total);
          expect(o.payerOpenid).toBe(r?.openid);
          // Unpaid: waiting here and at WeChat alike, until they expire.
          if (ours.get(o.outTradeNo)?.kind === 'unpaid') {
            expect(r?.status).toBe('pending');
            expect(o.state).toBe('NOTPAY');
          }
        }
        const jsapi = wechatRequests(stack.sandbox).filter(
          (q) => q.method === 'POST' && q.url.startsWith('/v3/pay/transactions/jsapi'),
        );
        console.log(
          `WeChat orders: ${placed.length} placed with ${jsapi.length} JSAPI calls (a pay cut by the kill may be placed again, same parameters)`,
        );
        await call(`${stack.sandboxUrl}/sandbox/faults`, { method: 'DELETE' });
      },
    );
  }, 90_000);

  it('throughput of first pays: one instance vs two on this 2-core machine (printed, not asserted)', async () => {
    const bench = await startProcessStack({ databaseUrl: pg.url.replace(/\/postgres$/, '/bench') });
    try {
      const second = await bench.addServer();
      const targets = [
        { name: 'A', url: bench.serverUrl, pid: () => bench.server.pid },
        { name: 'B', url: second.url, pid: () => second.process.pid },
      ];
      const payers = await benchSessions(bench.sandboxUrl, bench.serverUrl, 40, 'tput');
      const SECONDS = 2.5;
      const PER_RUN = 1500;
      const payRun = async (
        target: (typeof targets)[number],
        orders: CreatedOrder[],
        connections: number,
      ): Promise<LoadResult> => {
        const setupRequest = paySetupRequest(orders, payers);
        return load({
          url: target.url,
          connections,
          durationSeconds: SECONDS,
          maxRequests: orders.length,
          headers: { 'content-type': 'application/json' },
          body: '{}',
          setupRequest,
        });
      };
      const lines: string[] = [];
      // Warm both processes up first (JIT, connection pools, prepared statements).
      for (const t of targets) await payRun(t, await createOrders(t.url, 200), 8);
      for (const shape of ['one', 'two', 'two', 'one'] as const) {
        const orders = await createOrders(bench.serverUrl, PER_RUN);
        const cpu0 = targets.map((t) => cpuMsOf(t.pid()));
        const sandbox0 = cpuMsOf(bench.sandbox.pid);
        const machine0 = machineCpu();
        const started = performance.now();
        const results =
          shape === 'one'
            ? [await payRun(targets[0] as (typeof targets)[number], orders, 16)]
            : await Promise.all([
                payRun(targets[0] as (typeof targets)[number], orders.slice(0, PER_RUN / 2), 8),
                payRun(targets[1] as (typeof targets)[number], orders.slice(PER_RUN / 2), 8),
              ]);
        const wall = Math.max(...results.map((r) => r.seconds)) * 1000;
        const ok = results.reduce((n, r) => n + r.ok, 0);
        const cpu = targets.map((t, n) => ((cpuMsOf(t.pid()) - (cpu0[n] ?? 0)) / wall) * 100);
        const sandboxCpu = ((cpuMsOf(bench.sandbox.pid) - sandbox0) / wall) * 100;
        const machine1 = machineCpu();
        // Of all cores together, everything on the machine (the load generator and neighbours too).
        const busy =
          ((machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total)) * 100;
        const line =
          `${shape === 'one' ? 'one instance, 16 conns ' : 'two instances, 8+8 conns'}: ` +
          `${Math.round(ok / (wall / 1000))} first pays/s (${ok} in ${(wall / 1000).toFixed(1)} s; ` +
          `${results.map(describeLoad).join(' | ')}); CPU A ${Math.round(cpu[0] ?? 0)} %, ` +
          `B ${Math.round(cpu[1] ?? 0)} %, sandbox ${Math.round(sandboxCpu)} % of a core; ` +
          `machine ${Math.round(busy)} % busy over ${cpus().length} cores` +
          ` (${((performance.now() - started) / 1000).toFixed(1)} s)`;
        lines.push(line);
      }
      console.log(`throughput (first pays, PostgreSQL, 2 cores):\n  ${lines.join('\n  ')}`);
    } finally {
      await bench.close();
    }
  }, 120_000);

  it('expired unpaid orders are closed once, at both ends, with both instances racing for them', async () => {
    const unpaid = planned.filter((p) => p.kind !== 'paid');
    const nos = unpaid.map((p) => p.order?.orderNo ?? '');
    const expiresAt = Math.max(...planned.map((p) => Date.parse(p.order?.expiresAt ?? '')));
    await tally.check('expired orders closed here and at WeChat, one close call each', async () => {
      // Expiry, plus a lease a killed instance may have left on an order, plus a few rounds.
      await waitFor(
        async () => {
          const rows = await reader
            .selectFrom('orders')
            .select('status')
            .where('order_no', 'in', nos)
            .execute();
          return rows.every((r) => r.status === 'closed');
        },
        Math.max(0, expiresAt - Date.now()) + LEASE_MS + 10_000,
      );
      const requests = wechatRequests(stack.sandbox);
      const delays: number[] = [];
      for (const p of unpaid) {
        const no = p.order?.orderNo ?? '';
        const r = await row(no);
        expect(r?.status).toBe('closed');
        delays.push((r?.updated_at ?? 0) - (r?.expires_at ?? 0));
        const closes = requests.filter(
          (q) => q.method === 'POST' && q.url === `/v3/pay/transactions/out-trade-no/${no}/close`,
        );
        const wx = await sandboxOrder(no);
        if (p.kind === 'unsent') {
          expect(wx.status).toBe(404);
          expect(closes).toHaveLength(0);
        } else {
          expect(wx.body.state).toBe('CLOSED');
          expect(closes).toHaveLength(1);
        }
      }
      // Paid orders were never closed.
      for (const p of planned.filter((x) => x.kind === 'paid')) {
        const no = p.order?.orderNo ?? '';
        expect(requests.filter((q) => q.url.endsWith(`/${no}/close`))).toHaveLength(0);
        expect((await row(no))?.status).toBe('paid');
      }
      console.log(
        `expiry: ${unpaid.length} orders closed ${Math.min(...delays)}–${Math.max(...delays)} ms after they expired`,
      );
    });
    await tally.check(
      'no query storm: at most one WeChat query per order per query delay',
      async () => {
        const requests = wechatRequests(stack.sandbox);
        let most = 0;
        for (const p of planned.filter((x) => x.kind === 'unpaid')) {
          const no = p.order?.orderNo ?? '';
          const r = await row(no);
          const queries = requests.filter(
            (q) =>
              q.method === 'GET' && q.url.startsWith(`/v3/pay/transactions/out-trade-no/${no}?`),
          ).length;
          most = Math.max(most, queries);
          // From its prepay to its close, one query per delay (both instances together), plus the
          // close job's confirming query and a round of slack.
          const lived = (r?.updated_at ?? 0) - (r?.prepay_at ?? 0);
          expect(queries).toBeLessThanOrEqual(Math.ceil(lived / (QUERY_DELAY_S * 1000)) + 2);
        }
        console.log(`queries: at most ${most} WeChat queries for one unpaid order over its life`);
      },
    );
  }, 150_000);
});
