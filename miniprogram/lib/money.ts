/**
 * Money is integer fen everywhere; yuan exist only as display strings. Formatting uses integer
 * arithmetic so no amount is ever rounded through a float.
 */
import type { ShopMessages } from './i18n';

/** Largest amount the shop formats: WeChat Pay's own ceiling for one order (¥1,000,000.00). */
export const MAX_FEN = 100_000_000;

export function isFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1234567` → `12,345.67`. Throws on anything that is not an integer number of fen. */
export function formatYuan(fen: number): string {
  if (!isFen(fen)) {
    throw new TypeError(`amount must be an integer number of fen, got ${String(fen)}`);
  }
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  const text = `${groupThousands(String(yuan))}.${cents < 10 ? '0' : ''}${cents}`;
  return fen < 0 ? `-${text}` : text;
}

/** `1234` → `¥12.34`, `-500` → `-¥5.00`. */
export function formatPrice(fen: number): string {
  const text = formatYuan(fen);
  return text.startsWith('-') ? `-¥${text.slice(1)}` : `¥${text}`;
}

/** A discount is shown as money taken off: `500` → `-¥5.00`, `0` → `¥0.00`. */
export function formatDiscount(fen: number): string {
  return fen === 0 ? formatPrice(0) : formatPrice(-Math.abs(fen));
}

/** Screen readers read `¥12.34` badly; this says `12.34元` (`12.34 yuan` in English). */
export function spokenPrice(fen: number, m: Pick<ShopMessages, 'spokenPrice'>): string {
  return m.spokenPrice(formatYuan(fen));
}
