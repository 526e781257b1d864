/**
 * The notifications table: a payment notification is recorded (deduplicated by its id) only if
 * its order exists with this total, and the order is marked paid in the same atomic step.
 * Both dialects live here so the service stays free of them.
 */
import { sql } from 'kysely';
import type { QueryCreator } from 'kysely';
import { Repository } from './repository';
import type { Database } from './schema';

export interface PaidNotification {
  id: string;
  eventType: string;
  orderNo: string;
  /** The notification's amount: nothing is recorded unless the order has this total. */
  total: number;
  /**
   * WeChat Pay: the notification's AppID (nothing is recorded unless the order is paid under
   * it) and the owner app's, which an order with no pay_appid is paid under. Absent for the
   * jump-out channel, whose aggregator is not a WeChat AppID.
   */
  app?: { appId: string; ownerAppId: string };
  /** Partner mode: nothing is recorded unless the order pays this sub-merchant (else null). */
  subMchId: string | null;
  now: number;
  /** The columns a payment writes (settlement's paidValues). */
  paid: { status: 'paid'; transaction_id: string | null; paid_at: number; updated_at: number };
  /** The order states a payment may move to paid. */
  payableStates: ('pending' | 'closed')[];
}

export class NotificationsRepository extends Repository {
  /** `recorded`: the id was new and the order matched; `paid`: this call moved the order to paid. */
  async recordPaid(n: PaidNotification): Promise<{ recorded: boolean; paid: boolean }> {
    const { db, dialect } = this;
    const record = (db: QueryCreator<Database>) =>
      db
        .insertInto('notifications')
        .columns(['id', 'event_type', 'order_no', 'received_at'])
        .expression((eb) =>
          eb
            .selectFrom('orders')
            .select([
              eb.val(n.id).as('id'),
              eb.val(n.eventType).as('event_type'),
              'order_no',
              sql<number>`cast(${n.now} as bigint)`.as('received_at'),
            ])
            .where('order_no', '=', n.orderNo)
            .where('total', '=', n.total)
            .where('sub_mchid', n.subMchId === null ? 'is' : '=', n.subMchId)
            // Paid under the order's own AppID: a null pay_appid means the owner's.
            .$if(n.app !== undefined, (q) =>
              q.where((w) => {
                const { appId, ownerAppId } = n.app ?? { appId: '', ownerAppId: '' };
                return appId === ownerAppId
                  ? w.or([w('pay_appid', 'is', null), w('pay_appid', '=', appId)])
                  : w('pay_appid', '=', appId);
              }),
            ),
        )
        .onConflict((oc) => oc.column('id').doNothing());
    if (dialect === 'postgres') {
      // Both writes in one statement (a data-modifying CTE is atomic on its own).
      const r = await db
        .with('ins', (qb) => record(qb).returning('order_no'))
        .with('upd', (qb) =>
          qb
            .updateTable('orders')
            .set(n.paid)
            .where('order_no', 'in', (eb) => eb.selectFrom('ins').select('ins.order_no'))
            .where('status', 'in', n.payableStates)
            .returning('order_no'),
        )
        .selectNoFrom((eb) => [
          eb
            .selectFrom('ins')
            .select((e) => e.fn.countAll<number>().as('c'))
            .as('inserted'),
          eb
            .selectFrom('upd')
            .select((e) => e.fn.countAll<number>().as('c'))
            .as('updated'),
        ])
        .executeTakeFirstOrThrow();
      return { recorded: Number(r.inserted) === 1, paid: Number(r.updated) === 1 };
    }
    // SQLite: one transaction.
    return db.transaction().execute(async (trx) => {
      const inserted = await record(trx).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0)
        return { recorded: false, paid: false };
      const u = await trx
        .updateTable('orders')
        .set(n.paid)
        .where('order_no', '=', n.orderNo)
        .where('status', 'in', n.payableStates)
        .executeTakeFirst();
      return { recorded: true, paid: Number(u.numUpdatedRows) === 1 };
    });
  }
}
