/**
 * The capability tokens of orders this shop created (`POST /api/orders` answers each once). A
 * token opens its order without a sign-in, so reading an order the shop made costs no `wx.login`,
 * and it goes into the pay-button's `paymentArgs` so the functional page can pay an order that has
 * no payer yet. Kept in the shop's storage, newest last and bounded.
 */
const STORAGE_KEY = 'shop:order-tokens';
const MAX_TOKENS = 20;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

interface TokenEntry {
  orderNo: string;
  token: string;
}

export function isOrderToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

function readEntries(): TokenEntry[] {
  try {
    const value: unknown = wx.getStorageSync(STORAGE_KEY);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (e: unknown): e is TokenEntry =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as TokenEntry).orderNo === 'string' &&
        isOrderToken((e as TokenEntry).token),
    );
  } catch {
    return [];
  }
}

export function rememberOrderToken(orderNo: string, token: string): void {
  const entries = readEntries().filter((e) => e.orderNo !== orderNo);
  try {
    wx.setStorageSync(STORAGE_KEY, [...entries, { orderNo, token }].slice(-MAX_TOKENS));
  } catch {
    // A full storage only costs a sign-in when the order is read again.
  }
}

export function orderTokenOf(orderNo: string): string | undefined {
  return readEntries().find((e) => e.orderNo === orderNo)?.token;
}
