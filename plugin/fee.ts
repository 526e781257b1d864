/**
 * Fee rules shared by the pay-button and the plugin's main module. The amount is always
 * integer fen; the currency only picks the symbol WeChat's payment page shows.
 */
import type { CurrencyType } from '../typings';

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

export function isCurrencyType(value: unknown): value is CurrencyType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CURRENCY_SYMBOLS, value);
}

/** Says why a value cannot be charged, in words a developer can act on. */
export function validateFee(value: unknown): FeeCheck {
  if (value === undefined || value === null || value === '') {
    return { ok: false, reason: 'fee is missing: pass the order total in fen' };
  }
  if (typeof value !== 'number') {
    return {
      ok: false,
      reason: `fee must be a number of fen, got ${typeof value} ${JSON.stringify(value)}`,
    };
  }
  if (Number.isNaN(value)) return { ok: false, reason: 'fee is NaN' };
  if (!Number.isFinite(value)) return { ok: false, reason: `fee must be finite, got ${value}` };
  if (!Number.isInteger(value)) {
    return { ok: false, reason: `fee must be a whole number of fen, got ${value}` };
  }
  if (value <= 0) return { ok: false, reason: `fee must be positive, got ${value}` };
  if (value > MAX_FEE) {
    return {
      ok: false,
      reason: `fee ${value} is above the limit of ${MAX_FEE} fen (¥1,000,000.00)`,
    };
  }
  return { ok: true, fee: value };
}

/** `1234` → `¥12.34`, `123456789` → `¥1,234,567.89`; integer arithmetic, no float rounding. */
export function formatFee(fee: number, currencyType: CurrencyType = 'CNY'): string {
  if (!Number.isSafeInteger(fee) || fee < 0) {
    throw new RangeError(`formatFee needs a non-negative integer of fen, got ${fee}`);
  }
  const symbol = CURRENCY_SYMBOLS[currencyType];
  if (symbol === undefined) throw new RangeError(`unknown currencyType ${String(currencyType)}`);
  const yuan = String(Math.floor(fee / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = String(fee % 100).padStart(2, '0');
  return `${symbol}${yuan}.${cents}`;
}
