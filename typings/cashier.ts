/**
 * What crosses the jump into the merchant's own cashier mini program (the half-screen channel)
 * and back. Both directions travel through WeChat as `extraData`, which any mini program can
 * forge: the cashier checks the order with the server, and the opener never believes the way
 * back — it asks the server whether the order is paid.
 */

/** `extraData` of `wx.openEmbeddedMiniProgram` to the cashier. */
export interface CashierOpenData {
  orderNo: string;
  /**
   * The order's capability token (`CreatedOrder.orderToken`): lets the cashier read the order
   * and bind its payer. Omitted when the opener does not hold it (the order may then only be
   * paid by the payer it is bound to already).
   */
  orderToken?: string;
}

/** What the cashier shopper did, as the cashier saw it: a hint for the opener, never proof. */
export type CashierOutcomeHint = 'paid' | 'cancelled' | 'failed' | 'unpaid';

/** `extraData` of the cashier's `wx.navigateBackMiniProgram`. */
export interface CashierBackData {
  orderNo: string;
  outcome: CashierOutcomeHint;
}
