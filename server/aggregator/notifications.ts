/**
 * The aggregator's payment notifications. The provider verifies the signature; here the payment
 * is checked against the order (our merchant id, a success, an order bound to the jump-out
 * channel, the same amount), then recorded and applied exactly as WeChat's are: the id
 * `aggregator:<its payment id>` and the paid state in one transaction (notifications.recordPaid),
 * so duplicates and concurrent deliveries pay the order once.
 */
import type { Logger } from 'pino';
import type { Storage } from '../db/connect';
import type { Clock } from '../clock';
import { PAYABLE_INTO_PAID } from '../services/settlement';
import { AggregatorRefusal } from './provider';
import type { AggregatorPayment, AggregatorProvider } from './provider';

export const AGGREGATOR_EVENT = 'AGGREGATOR.SUCCESS';

export interface AggregatorNotifyDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  provider: AggregatorProvider;
  /** Our merchant id at the aggregator. */
  mchId: string;
}

export class AggregatorNotifications {
  constructor(private readonly deps: AggregatorNotifyDeps) {}

  /** Applies a genuine notification (once); throws AggregatorRefusal for anything else. */
  async handle(raw: Buffer, contentType: string | undefined): Promise<void> {
    const { provider, storage, logger } = this.deps;
    const p = provider.readNotification(raw, contentType);
    if (p.mchId !== this.deps.mchId)
      throw new AggregatorRefusal(400, `mchid ${p.mchId} is not ours`);
    if (!p.succeeded) throw new AggregatorRefusal(400, 'the notification reports no success');
    const row = await storage.orders.find(p.orderNo);
    if (!row) throw new AggregatorRefusal(404, `unknown out_trade_no ${p.orderNo}`);
    // Bound once, never rebound: checked here, the channel cannot change before the write.
    if (row.channel !== 'aggregator')
      throw new AggregatorRefusal(400, `order ${p.orderNo} is not paid through the aggregator`);
    if (p.total !== row.total)
      throw new AggregatorRefusal(400, `total_fee ${p.total} is not the order's ${row.total}`);
    const now = this.deps.clock.now();
    const r = await storage.notifications.recordPaid({
      id: `aggregator:${p.paymentId}`,
      eventType: AGGREGATOR_EVENT,
      orderNo: row.order_no,
      total: row.total,
      subMchId: row.sub_mchid,
      now,
      paid: paidValues(p, now),
      payableStates: PAYABLE_INTO_PAID,
    });
    const ids = { orderNo: row.order_no, paymentId: p.paymentId };
    if (!r.recorded) logger.info(ids, 'duplicate aggregator notification');
    else if (r.paid)
      logger.info({ ...ids, transactionId: p.transactionId }, 'order paid (aggregator)');
    // A second payment of one order (the user paid twice at the aggregator): money to return.
    else
      logger.warn(
        { ...ids, status: row.status },
        'aggregator payment for an order not payable: refund it at the aggregator',
      );
  }
}

function paidValues(p: AggregatorPayment, now: number) {
  return {
    status: 'paid' as const,
    transaction_id: p.transactionId,
    paid_at: p.paidAt ?? now,
    updated_at: now,
  };
}
