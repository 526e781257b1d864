/**
 * Claiming work so two server instances never handle one order at once: a lease
 * (`claimed_until`) taken in one statement. On PostgreSQL the candidate rows are picked with
 * FOR UPDATE SKIP LOCKED; SQLite serialises writers, so the single UPDATE is already atomic.
 * The statement commits at once: no transaction stays open across the WeChat call that follows.
 */
import type { ExpressionBuilder, ExpressionWrapper, SqlBool } from 'kysely';
import type { Storage } from '../db/connect';
import type { Database } from '../db/schema';
import type { OrderRow } from '../services/order-records';

export type Condition = (
  eb: ExpressionBuilder<Database, 'orders'>,
) => ExpressionWrapper<Database, 'orders', SqlBool>;

export async function claimOrders(
  storage: Storage,
  where: Condition,
  opts: { now: number; leaseMs: number; limit: number },
): Promise<OrderRow[]> {
  const { db, dialect } = storage;
  return db
    .updateTable('orders')
    .set({ claimed_until: opts.now + opts.leaseMs })
    .where('order_no', 'in', (eb) => {
      let q = eb
        .selectFrom('orders')
        .select('order_no')
        .where(where)
        .where((e) => e.or([e('claimed_until', 'is', null), e('claimed_until', '<', opts.now)]))
        .orderBy('next_check_at')
        .limit(opts.limit);
      if (dialect === 'postgres') q = q.forUpdate().skipLocked();
      return q;
    })
    .returningAll()
    .execute();
}

export async function release(
  storage: Storage,
  orderNo: string,
  nextCheckAt: number,
): Promise<void> {
  await storage.db
    .updateTable('orders')
    .set({ claimed_until: null, next_check_at: nextCheckAt })
    .where('order_no', '=', orderNo)
    .execute();
}
