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
