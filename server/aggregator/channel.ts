/**
 * The channel rule: an order is paid through one channel only. Its first payment attempt binds
 * 'wechat' (/pay, /pay-with-login) or 'aggregator' (jump-out) with one conditional UPDATE, and
 * the other channel is refused from then on (409 CHANNEL_CONFLICT), on every instance alike.
 */
import type { OrderRow } from '../db/orders';
import type { OrderChannel } from '../db/schema';
import { ApiFailure } from '../errors';
import type { ServiceContext } from '../services/context';
import type { OrderRecords } from '../services/order-records';

export function channelConflict(orderNo: string, bound: OrderChannel): ApiFailure {
  const how = bound === 'wechat' ? 'WeChat Pay' : "the aggregator's cashier (jump-out)";
  return new ApiFailure(
    409,
    'CHANNEL_CONFLICT',
    `order ${orderNo} is already being paid through ${how}; it cannot be paid another way`,
  );
}

/** `row` bound to `channel` (bound now if it had none); refused if not payable or bound elsewhere. */
export async function bindChannel(
  ctx: ServiceContext,
  records: OrderRecords,
  row: OrderRow,
  channel: OrderChannel,
): Promise<OrderRow> {
  const now = ctx.clock.now();
  const bound = await ctx.storage.orders.bindChannel(row.order_no, channel, now, now);
  if (bound) return bound;
  // Nothing matched: say why from a fresh read (bound elsewhere, paid, closed or expired).
  const current = await records.get(row.order_no);
  if (current.status === 'pending' && current.channel !== null && current.channel !== channel)
    throw channelConflict(current.order_no, current.channel);
  const state = current.status === 'pending' ? 'expired' : current.status;
  throw new ApiFailure(409, 'ORDER_NOT_PAYABLE', `order ${current.order_no} is ${state}`);
}
