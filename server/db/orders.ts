/**
 * The orders table: every statement the services and jobs run on it. Conditional updates carry
 * their guard in the WHERE clause (so two instances racing on one order cannot both win) and
 * say whether they changed the row. The PostgreSQL/SQLite difference for claims lives here.
 */
import type { ExpressionBuilder, ExpressionWrapper, Selectable, SqlBool, Updateable } from 'kysely';
import { Repository } from './repository';
import type { Database, OrderChannel, OrdersTable } from './schema';

export type OrderRow = Selectable<OrdersTable>;

export type OrderCondition = (
  eb: ExpressionBuilder<Database, 'orders'>,
) => ExpressionWrapper<Database, 'orders', SqlBool>;

const changedOne = (r: { numUpdatedRows: bigint }): boolean => Number(r.numUpdatedRows) === 1;

export class OrdersRepository extends Repository {
  find(orderNo: string): Promise<OrderRow | undefined> {
    return this.findBy('order_no', orderNo);
  }

  findByIdempotencyKey(key: string): Promise<OrderRow | undefined> {
    return this.findBy('idempotency_key', key);
  }

  private findBy(column: 'order_no' | 'idempotency_key', value: string) {
    return this.db.selectFrom('orders').selectAll().where(column, '=', value).executeTakeFirst();
  }

  async insert(row: OrderRow): Promise<void> {
    await this.db.insertInto('orders').values(row).execute();
  }

  /**
   * Binds a payer to an order that has none and whose capability token hashes to `accessHash`;
   * with `payableAt`, only while it can be paid then. Paying with a payer is the WeChat channel:
   * that is bound in the same statement, and an order bound to another channel is left alone.
   * `payAppId` is the AppID the openid belongs to: bound with it, so payer and app never part.
   */
  bindPayer(
    orderNo: string,
    payer: { openid: string; payAppId: string },
    accessHash: string,
    now: number,
    payableAt?: number,
  ) {
    let q = this.db
      .updateTable('orders')
      .set({
        openid: payer.openid,
        pay_appid: payer.payAppId,
        channel: 'wechat',
        updated_at: now,
      })
      .where('order_no', '=', orderNo)
      .where('openid', 'is', null)
      .where('access_hash', '=', accessHash)
      .where((eb) => eb.or([eb('channel', 'is', null), eb('channel', '=', 'wechat')]));
    if (payableAt !== undefined) {
      q = q.where('status', '=', 'pending').where('expires_at', '>', payableAt);
    }
    return q.returningAll().executeTakeFirst();
  }

  /**
   * Fixes the channel an order is paid through, if it has none yet, while it can be paid at
   * `payableAt`. One conditional statement, so two instances (or a jump-out racing a pay) cannot
   * both bind it. Returns the row when it is now bound to `channel`, else undefined.
   */
  bindChannel(orderNo: string, channel: OrderChannel, now: number, payableAt: number) {
    return this.db
      .updateTable('orders')
      .set({ channel, updated_at: now })
      .where('order_no', '=', orderNo)
      .where((eb) => eb.or([eb('channel', 'is', null), eb('channel', '=', channel)]))
      .where('status', '=', 'pending')
      .where('expires_at', '>', payableAt)
      .returningAll()
      .executeTakeFirst();
  }

  /** Records a new prepay on a still-pending order; the next background check waits until `nextCheckAt`. */
  async setPrepay(orderNo: string, prepayId: string, now: number, nextCheckAt: number) {
    await this.db
      .updateTable('orders')
      .set({ prepay_id: prepayId, prepay_at: now, updated_at: now, next_check_at: nextCheckAt })
      .where('order_no', '=', orderNo)
      .where('status', '=', 'pending')
      .execute();
  }

  /**
   * Takes the right to query WeChat about an order now: always when forced, else only if the
   * last query is older than `intervalMs` (a rate limit shared by every instance).
   */
  async claimQuery(orderNo: string, now: number, intervalMs: number | null): Promise<boolean> {
    let q = this.db
      .updateTable('orders')
      .set({ last_query_at: now })
      .where('order_no', '=', orderNo);
    if (intervalMs !== null) {
      q = q.where((eb) =>
        eb.or([eb('last_query_at', 'is', null), eb('last_query_at', '<=', now - intervalMs)]),
      );
    }
    return changedOne(await q.executeTakeFirst());
  }

  /** pending → closed (optionally only if it never reached WeChat); false when it moved on. */
  async closePending(orderNo: string, now: number, withoutPrepay = false): Promise<boolean> {
    let q = this.db
      .updateTable('orders')
      .set({ status: 'closed', updated_at: now })
      .where('order_no', '=', orderNo)
      .where('status', '=', 'pending');
    if (withoutPrepay) q = q.where('prepay_id', 'is', null);
    return changedOne(await q.executeTakeFirst());
  }

  /** Writes `values` if the order is in one of `from`; true when this call changed it. */
  async moveStatus(
    orderNo: string,
    from: OrderRow['status'][],
    values: Updateable<OrdersTable>,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('orders')
      .set(values)
      .where('order_no', '=', orderNo)
      .where('status', 'in', from)
      .executeTakeFirst();
    return changedOne(r);
  }

  /**
   * Leases up to `limit` orders matching `where` so no other instance handles them meanwhile,
   * in one statement that commits at once (no transaction stays open across a WeChat call).
   * PostgreSQL picks candidates with FOR UPDATE SKIP LOCKED; SQLite serialises writers, so the
   * single UPDATE is already atomic there.
   */
  claim(
    where: OrderCondition,
    opts: { now: number; leaseMs: number; limit: number },
  ): Promise<OrderRow[]> {
    return this.db
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
        if (this.dialect === 'postgres') q = q.forUpdate().skipLocked();
        return q;
      })
      .returningAll()
      .execute();
  }

  async release(orderNo: string, nextCheckAt: number): Promise<void> {
    await this.db
      .updateTable('orders')
      .set({ claimed_until: null, next_check_at: nextCheckAt })
      .where('order_no', '=', orderNo)
      .execute();
  }
}
