import type { SandboxContext } from '../context';
import type { Order } from '../store';
import { directOrder, MAX_TOTAL_FEN } from './transactions';

/** A positive integer amount in fen that fits WeChat's 32-bit field. */
export function isFen(value: string | undefined): boolean {
  return value !== undefined && /^[1-9]\d{0,9}$/.test(value) && Number(value) <= MAX_TOTAL_FEN;
}

/** The direct merchant's order named by out_trade_no, else by transaction_id. */
export function v2FindOrder(ctx: SandboxContext, f: Record<string, string>): Order | undefined {
  if (f.out_trade_no) return directOrder(ctx, ctx.store.orders.get(f.out_trade_no));
  if (f.transaction_id) return directOrder(ctx, ctx.store.orderByTransactionId(f.transaction_id));
  return undefined;
}

/**
 * A v2 call names an order with the appid it was placed under (unifiedorder's): under another
 * AppID, even one bound to the same merchant, WeChat does not find it. The sandbox refuses such
 * a call (as "no such order" for queries and close, see v2-pay.ts / v2-refunds.ts).
 */
export function v2OrderUnderOtherAppid(order: Order, f: Record<string, string>): boolean {
  return order.appid !== f.appid;
}
