/**
 * The shape of the shop's message table. Every word a shopper can see or hear (screen text,
 * accessible labels, toasts, dialogs, errors) comes from one table per language; the WXML binds
 * `words` and holds no words of its own. Errors are keyed by the contract's `ApiErrorCode`, so a
 * new code fails to compile until both languages say something about it.
 */
import type { ApiErrorCode } from '../../../typings';

export type Locale = 'zh' | 'en';

/** What a cart or link check refuses, as data: the page picks the words. */
export type InputProblem =
  | { kind: 'not-an-order-link' }
  | { kind: 'not-an-item'; part: string }
  | { kind: 'quantity-too-small'; sku: string }
  | { kind: 'quantity-too-large'; sku: string; max: number }
  | { kind: 'too-many-lines'; max: number };

/** Plain strings the pages' WXML binds (`{{words.confirm.items}}`): setData carries them. */
export interface Words {
  confirm: {
    loading: string;
    loadingLabel: string;
    emptyTitle: string;
    emptyText: string;
    errorTitle: string;
    retry: string;
    retryLabel: string;
    payWithin: string;
    expired: string;
    orderAgain: string;
    orderAgainLabel: string;
    items: string;
    itemsLabel: string;
    goods: string;
    shipping: string;
    discount: string;
    amountDue: string;
    remark: string;
    optional: string;
    remarkPlaceholder: string;
    noRemark: string;
    saving: string;
    orderNo: string;
    total: string;
    /** The payment choice, shown when the server offers more than the plugin. */
    payWith: string;
    channelPlugin: string;
    /** The merchant's own cashier mini program, opened half-screen. */
    channelHalfScreen: string;
    channelHalfScreenHint: string;
    halfScreenPay: string;
    channelJumpOut: string;
    channelJumpOutHint: string;
    /** The bar's button while the cashier is chosen. */
    jumpOutPay: string;
    jumpOutPreparing: string;
  };
  result: {
    errorTitle: string;
    retry: string;
    retryLabel: string;
    amount: string;
    orderNo: string;
    paidAt: string;
    payBefore: string;
    detailsLabel: string;
    shipping: string;
    discount: string;
    viewOrder: string;
    hideOrder: string;
    viewOrderLabel: string;
    hideOrderLabel: string;
    backToShop: string;
    backToShopLabel: string;
    payAgain: string;
    refresh: string;
  };
}

export interface ResultText {
  title: string;
  hint: string;
}

export interface ShopMessages {
  locale: Locale;
  words: Words;
  /** Navigation bar titles, set per page (app.json holds the Chinese default). */
  titles: { confirm: string; result: string };
  /** Every refusal the server can send, by its contract code. */
  api: Record<ApiErrorCode, string>;
  /** Failures with no server answer behind them. */
  transport: { network: string; timeout: string; malformed: string; unexpected: string };
  input(problem: InputProblem): string;
  /** The result page's headline per state. */
  states: Record<'paid' | 'unpaid' | 'expired' | 'confirming' | 'still-confirming', ResultText>;
  refundedHint(amount: string): string;
  /** A failed payment (the pay-button's `fail`), by cause. */
  payment: {
    devtools: string;
    notPayable: string;
    forbidden: string;
    rateLimited: string;
    timeout: string;
    network: string;
    login: string;
    /** The server refused WeChat Pay: the order was sent to the cashier mini program. */
    channelConflict: string;
    other(reason: string): string;
    unknownReason: string;
  };
  /** A toast with `icon: 'none'` shows two lines: about this many characters. */
  toastMaxLength: number;
  remarkNotSaved(reason: string): string;
  giveUp: { title: string; content: string; confirm: string; cancel: string };
  /** Paying in the aggregator's cashier mini program (jump-out). */
  jumpOut: {
    /** Tapped before the signed arguments arrived: WeChat only jumps from inside a tap. */
    notReady: string;
    /** WeChat refused the jump (not the user's cancel). */
    failed(reason: string): string;
  };
  /** The result page after a return from the cashier, whose own word proves nothing. */
  returned: { confirming: string; unpaid: string };
  /** The cashier buttons' spoken labels with the amount. */
  jumpOutLabel(price: string): string;
  halfScreenLabel(price: string): string;
  free: string;
  /** `¥12.34` read aloud. */
  spokenPrice(yuan: string): string;
  spokenDuration(minutes: number, seconds: number): string;
  payWithinLabel(duration: string): string;
  expiredLabel: string;
  lineLabel(line: { name: string; spec: string; unitPrice: string; quantity: number }): string;
  amountDueLabel(price: string): string;
  amountLabel(price: string): string;
  remarkLabel(max: number): string;
  remarkCounterLabel(used: number, max: number): string;
  payAgainLabel(orderNo: string): string;
  /** A local date and time as the shop shows it. */
  dateTime(parts: DateParts): string;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}
