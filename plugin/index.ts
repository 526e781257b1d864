/**
 * Plugin main (plugin.json "main"): what a host gets from `requirePlugin('<alias>')`.
 * Runtime exports are small pure helpers; event and property shapes are types only.
 *
 * The fee rules live here rather than in a module of their own: pay-button requires this file
 * for them, so the host and the button share one rule and the plugin ships one module less.
 * The amount is always integer fen; the currency only picks the symbol WeChat's page shows.
 */
import type { CurrencyType } from '../typings';

export type {
  CurrencyType,
  FunctionalPageArgs,
  PaymentArgsLike,
  PayButtonCancelDetail,
  PayButtonFailDetail,
  PayButtonProps,
  PayButtonSuccessDetail,
  PayButtonVersion,
} from '../typings';

// The order API a host uses instead of talking to the owner's server itself.
export { PluginOrderError, createOrder, getOrder, paymentArgsFor } from './orders';
export type { OrderRef, PluginOrderErrorCode } from './orders';

/** Released plugin version; test/plugin checks it against package.json so the two never drift. */
export const PLUGIN_VERSION = '0.1.0';

/** ¥1,000,000.00: far above any shop basket, low enough to catch a yuan/fen mix-up ×100. */
export const MAX_FEE = 100_000_000;

export const CURRENCY_SYMBOLS: Readonly<Record<CurrencyType, string>> = {
  CNY: '¥',
  USD: 'US$',
  JPY: 'J¥',
  EUR: '€',
  HKD: 'HK$',
  GBP: '£',
  AUD: 'A$',
  MOP: 'MOP$',
  KRW: '₩',
};

export type FeeCheck = { ok: true; fee: number } | { ok: false; reason: string };

/**
 * `JSON.stringify` for a message, which must not throw: a bigint shows as `10n`, a value JSON
 * cannot write (a cycle) by its tag. A throw here would leave the pay-button showing its last
 * good state.
 */
function shown(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return typeof value === 'bigint' ? `${value}n` : Object.prototype.toString.call(value);
  }
}

/** Why a value cannot be charged, in words a developer can act on; '' when it can. */
function feeProblem(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    return 'fee is missing: pass the order total in fen';
  }
  if (typeof value !== 'number') {
    return `fee must be a number of fen, got ${typeof value} ${shown(value)}`;
  }
  if (Number.isNaN(value)) return 'fee is NaN';
  if (!Number.isFinite(value)) return `fee must be finite, got ${value}`;
  if (!Number.isInteger(value)) return `fee must be a whole number of fen, got ${value}`;
  if (value <= 0) return `fee must be positive, got ${value}`;
  if (value > MAX_FEE) return `fee ${value} is above the limit of ${MAX_FEE} fen (¥1,000,000.00)`;
  return '';
}

/** The pay-button's own rule: `{ ok: true, fee }` or `{ ok: false, reason }`. */
export function validateFee(value: unknown): FeeCheck {
  const reason = feeProblem(value);
  return reason ? { ok: false, reason } : { ok: true, fee: value as number };
}

/** `1234` → `¥12.34`, `123456789` → `¥1,234,567.89`; integer arithmetic, no float rounding. */
export function formatFee(fee: number, currencyType: CurrencyType = 'CNY'): string {
  // typeof, not `in`: 'toString' and friends are not currencies.
  const symbol = CURRENCY_SYMBOLS[currencyType];
  if (!Number.isSafeInteger(fee) || fee < 0) {
    throw new RangeError(`formatFee needs a non-negative integer of fen, got ${fee}`);
  }
  if (typeof symbol !== 'string') throw new RangeError(`unknown currencyType ${currencyType}`);
  const digits = String(fee).padStart(3, '0');
  const yuan = digits.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, ',');
  return `${symbol}${yuan}.${digits.slice(-2)}`;
}
