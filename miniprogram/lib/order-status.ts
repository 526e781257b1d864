/**
 * What the shop tells the user about an order, decided from the server's answer only. The
 * client event from the pay-button (success/cancel) is a hint for how long to keep asking, never
 * a verdict.
 */
import type { Order } from '../../typings';

/**
 * - `paid`: the server has the payment (also after a partial or full refund: money did move).
 * - `unpaid`: pending and still payable; the user may pay again.
 * - `expired`: pending but past its expiry (the server will close it), or closed by the server.
 * - `confirming`: pending right after a payment the client reported; we keep asking.
 */
export type ResultState = 'paid' | 'unpaid' | 'expired' | 'confirming';

/**
 * How the user left the order page; only decides whether "pending" means "wait" or "unpaid".
 * `returned`: back from the aggregator's cashier mini program, whose word the shop never takes:
 * wait for the server to hear from the aggregator, and say "unpaid" if it does not.
 */
export type ClientOutcome = 'success' | 'cancel' | 'returned' | 'unknown';

export function resultStateOf(order: Order, nowMs: number, outcome: ClientOutcome): ResultState {
  switch (order.status) {
    case 'paid':
    case 'refunded':
      return 'paid';
    case 'closed':
      return 'expired';
    case 'pending':
      if (Date.parse(order.expiresAt) <= nowMs) return 'expired';
      return outcome === 'cancel' ? 'unpaid' : 'confirming';
  }
}

/**
 * What "still pending" means once polling ran out. After WeChat Pay the server keeps asking
 * WeChat, so the page says "still confirming"; the aggregator cannot be asked, only heard from,
 * so after a return from its cashier a silent order is unpaid (and may be paid again).
 */
export function stateWhenPollingEnds(outcome: ClientOutcome): 'still-confirming' | 'unpaid' {
  return outcome === 'returned' ? 'unpaid' : 'still-confirming';
}

/** True when asking again cannot change the answer. */
export function isFinal(state: ResultState): boolean {
  return state === 'paid' || state === 'expired';
}

/** Whether the confirmation page may still take a payment for this order. */
export function isPayable(order: Order, nowMs: number): boolean {
  return order.status === 'pending' && Date.parse(order.expiresAt) > nowMs;
}

export interface PollPolicy {
  /** Wait before each follow-up query; the number of entries bounds the attempts. */
  delaysMs: number[];
  /** The same after a return from a cashier mini program (`returned`). */
  returnedDelaysMs: number[];
}

/**
 * About 25 s in all: a notification normally lands within a second or two, and the server
 * queries WeChat itself on every read of a pending order, so longer waits rarely help; after this
 * the page offers a manual refresh instead of polling forever. Tests shorten it.
 */
export const pollPolicy: PollPolicy = {
  delaysMs: [1000, 1000, 2000, 2000, 3000, 4000, 5000, 7000],
  // About 8 s: our own cashier asked the server before its way back, and an aggregator notifies
  // within seconds; a shopper who cancelled there should not wait 25 s to see "unpaid" (a later
  // payment still shows: the page re-reads on every show, and 重新查询 is offered).
  returnedDelaysMs: [500, 1000, 1500, 2000, 3000],
};

/** The follow-up delays for an outcome. */
export function pollDelaysFor(outcome: ClientOutcome): number[] {
  return outcome === 'returned' ? pollPolicy.returnedDelaysMs : pollPolicy.delaysMs;
}
