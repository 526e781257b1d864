/**
 * Public contract of the plugin's `pay-button` component (plugin.json publicComponents).
 * Hosts bind these events with `bind:success`, `bind:fail`, `bind:cancel`.
 */

/** Which build of the owner app's functional page WeChat jumps to. */
export type PayButtonVersion = 'release' | 'trial' | 'develop';

/** Only changes the symbol WeChat's payment page shows; the amount is always fen. */
export type CurrencyType = 'CNY' | 'USD' | 'JPY' | 'EUR' | 'HKD' | 'GBP' | 'AUD' | 'MOP' | 'KRW';

export interface PayButtonProps {
  /** Amount in fen (positive integer ≤ 100,000,000 = ¥1,000,000.00). Display only: the server decides the price. */
  fee: number;
  /** Passed untouched to the owner's `beforeRequestPayment`. */
  paymentArgs: PaymentArgsLike;
  version: PayButtonVersion;
  currencyType: CurrencyType;
  disabled: boolean;
  /** Slot content replaces the amount on the face instead of preceding it (default false). */
  customFace?: boolean;
  /**
   * Verb on the face and in the accessible label, e.g. '立即支付' → "立即支付 ¥12.34". Default '':
   * the word for the WeChat language (支付 in Chinese, Pay in English).
   */
  label?: string;
}

/** The button does not interpret paymentArgs; the owner's functional page does. */
export type PaymentArgsLike = Record<string, unknown>;

export interface PayButtonSuccessDetail {
  errMsg: string;
  /** `extraData` returned by the owner's functional page, if any. */
  extraData?: Record<string, unknown>;
}

export interface PayButtonFailDetail {
  errMsg: string;
}

export interface PayButtonCancelDetail {
  errMsg: string;
}

/** What the navigator / requestPluginPayment is given: exactly these two fields. */
export interface FunctionalPageArgs {
  fee: number;
  paymentArgs: PaymentArgsLike;
}
