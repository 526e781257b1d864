/**
 * The cart handed to the confirmation page, and the idempotency key that goes with it. A key is
 * kept per (cart, remark) in storage, so retrying after a network error, reopening the page or
 * switching back to an earlier remark returns the order already created instead of a new one.
 */
import type { CreateOrderItem, OrderLimits } from '../../typings';
import { InputError } from './input-error';

export interface Cart {
  items: CreateOrderItem[];
  remark: string;
}

const SKU_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses the `items` page parameter: `SKU:QTY` pairs joined by commas, e.g. `tea-500g:2,cup:1`.
 * Throws an InputError for anything else; repeated skus are merged. Needs no server, so a bad
 * link is refused before any request; the server's limits are `checkCartLimits`.
 */
export function parseItemsParam(param: string): CreateOrderItem[] {
  const text = param.trim();
  if (text === '') return [];
  const merged = new Map<string, number>();
  for (const part of text.split(',')) {
    const match = /^([^:]+):(\d{1,3})$/.exec(part.trim());
    if (!match || !SKU_PATTERN.test(match[1] ?? '')) {
      throw new InputError({ kind: 'not-an-item', part });
    }
    const sku = match[1] as string;
    const quantity = Number(match[2]);
    if (quantity < 1) throw new InputError({ kind: 'quantity-too-small', sku });
    merged.set(sku, (merged.get(sku) ?? 0) + quantity);
  }
  return Array.from(merged, ([sku, quantity]) => ({ sku, quantity }));
}

/** Checks a cart against the server's limits (`GET /api/catalog`) before it is sent. */
export function checkCartLimits(
  items: readonly CreateOrderItem[],
  limits: Pick<OrderLimits, 'maxLines' | 'maxQuantity'>,
): void {
  for (const { sku, quantity } of items) {
    if (quantity > limits.maxQuantity) {
      throw new InputError({ kind: 'quantity-too-large', sku, max: limits.maxQuantity });
    }
  }
  if (items.length > limits.maxLines) {
    throw new InputError({ kind: 'too-many-lines', max: limits.maxLines });
  }
}

/** Order-insensitive identity of a cart and remark. */
export function cartFingerprint(cart: Cart): string {
  const items = cart.items
    .map((item) => `${item.sku}:${item.quantity}`)
    .sort()
    .join(',');
  return `${items}|${cart.remark}`;
}

const STORAGE_KEY = 'shop:idempotency-keys';
/** Bounded: old carts are forgotten first. */
const MAX_KEYS = 20;

interface KeyEntry {
  fingerprint: string;
  key: string;
}

function readEntries(): KeyEntry[] {
  try {
    const value: unknown = wx.getStorageSync(STORAGE_KEY);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (e: unknown): e is KeyEntry =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as KeyEntry).fingerprint === 'string' &&
        typeof (e as KeyEntry).key === 'string',
    );
  } catch {
    return [];
  }
}

function writeEntries(entries: KeyEntry[]): void {
  wx.setStorageSync(STORAGE_KEY, entries.slice(-MAX_KEYS));
}

/**
 * 8–64 chars of [A-Za-z0-9-]. Orders are created without a sign-in, where the server tells
 * clients apart by the key alone (a replay answers the order's token), so besides being unique it
 * must be unguessable: about 100 random bits, never shown or logged.
 */
export function newIdempotencyKey(): string {
  let random = '';
  while (random.length < 20) random += Math.random().toString(36).slice(2);
  return `${Date.now().toString(36)}-${random.slice(0, 20)}`;
}

export function idempotencyKeyFor(cart: Cart): string {
  const fingerprint = cartFingerprint(cart);
  const entries = readEntries();
  const found = entries.find((e) => e.fingerprint === fingerprint);
  if (found) return found.key;
  const key = newIdempotencyKey();
  writeEntries([...entries, { fingerprint, key }]);
  return key;
}

/** After the cart's order is paid or closed, buying the same cart again is a new order. */
export function forgetIdempotencyKey(cart: Cart): void {
  const fingerprint = cartFingerprint(cart);
  writeEntries(readEntries().filter((e) => e.fingerprint !== fingerprint));
}
