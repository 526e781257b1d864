import type { SandboxContext } from './context';
import { prepayId } from './ids';
import type { Order } from './store';
import { PREPAY_LIFETIME_MS } from './trade';

/**
 * What placing an order came to. Each API words the refusals its own way (v3 status + code, v2
 * err_code), so this says only what happened.
 */
export type OpenResult =
  | { kind: 'prepay'; prepayId: string }
  /** Same out_trade_no, other parameters (or another API / merchant). */
  | { kind: 'conflict' }
  | { kind: 'paid' }
  | { kind: 'closed' }
  /** A new order whose time_expire has already passed. */
  | { kind: 'pastExpire' };

/**
 * Places `draft`, or reuses the order of the same out_trade_no when its parameters (paramsKey)
 * are the same: its latest prepay_id while that is under 2 h old, else a new one. out_trade_no is
 * one namespace for the whole sandbox, whichever API and merchant placed the order.
 */
export function openOrder(ctx: SandboxContext, draft: Order): OpenResult {
  const now = ctx.clock.now();
  const existing = ctx.store.orders.get(draft.outTradeNo);
  if (existing !== undefined) {
    if (existing.scheme !== draft.scheme || existing.paramsKey !== draft.paramsKey) {
      return { kind: 'conflict' };
    }
    if (existing.state === 'SUCCESS' || existing.state === 'REFUND') return { kind: 'paid' };
    if (existing.state === 'CLOSED') return { kind: 'closed' };
    const latest = existing.prepays[existing.prepays.length - 1];
    if (latest !== undefined && now - latest.createdAt < PREPAY_LIFETIME_MS) {
      return { kind: 'prepay', prepayId: latest.id };
    }
    return { kind: 'prepay', prepayId: newPrepay(ctx, existing, now) };
  }
  if (draft.timeExpireMs !== undefined && draft.timeExpireMs <= now) return { kind: 'pastExpire' };
  ctx.store.orders.set(draft.outTradeNo, draft);
  return { kind: 'prepay', prepayId: newPrepay(ctx, draft, now) };
}

function newPrepay(ctx: SandboxContext, order: Order, now: number): string {
  const prepay = { id: prepayId(now), outTradeNo: order.outTradeNo, createdAt: now };
  order.prepays.push(prepay);
  ctx.store.prepays.set(prepay.id, prepay);
  return prepay.id;
}

/** A fresh order record with nothing happened to it yet. */
export function blankOrderState(
  now: number,
): Pick<Order, 'createdAt' | 'state' | 'prepays' | 'refundNos' | 'cashier' | 'cashierOmitted'> {
  return {
    createdAt: now,
    state: 'NOTPAY',
    prepays: [],
    refundNos: [],
    cashier: [],
    cashierOmitted: 0,
  };
}
