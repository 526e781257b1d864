import {
  cartFingerprint,
  forgetIdempotencyKey,
  idempotencyKeyFor,
  newIdempotencyKey,
  checkCartLimits,
  parseItemsParam,
} from '../../../miniprogram/lib/cart';
import { createWx, installWx } from '../../../dev/emulator';

/** What `GET /api/catalog` publishes (order-confirm.test.ts reads it from the server). */
const LIMITS = { maxLines: 10, maxQuantity: 99 };

/** The emulator's storage (per user and app, JSON like WeChat's); nothing here goes online. */
function installStorage(): Map<string, string> {
  const wx = createWx({ sandboxUrl: 'http://127.0.0.1:9', user: 'cart-test' });
  installWx(wx);
  return wx.emulator.storage;
}

describe('cart parameter', () => {
  it('parses SKU:QTY pairs and merges repeats', () => {
    expect(parseItemsParam('TEA-LJ-250:2, CUP-CLAY-01:1,TEA-LJ-250:1')).toEqual([
      { sku: 'TEA-LJ-250', quantity: 3 },
      { sku: 'CUP-CLAY-01', quantity: 1 },
    ]);
    expect(parseItemsParam('  ')).toEqual([]);
  });

  it.each([
    ['TEA', /expected SKU:QUANTITY/],
    ['TEA:', /expected SKU:QUANTITY/],
    ['TEA:-1', /expected SKU:QUANTITY/],
    ['TEA:1.5', /expected SKU:QUANTITY/],
    ['TEA:0', /quantity of TEA must be at least 1/],
    ['TEA:100', /quantity of TEA must be 1 to 99/],
    ['TEA:60,TEA:60', /quantity of TEA/],
    ['bad sku!:1', /expected SKU:QUANTITY/],
    [`${'X'.repeat(33)}:1`, /expected SKU:QUANTITY/],
    [Array.from({ length: 11 }, (_, i) => `S${i}:1`).join(','), /at most 10 items/i],
  ])('rejects %s', (param, message) => {
    expect(() => checkCartLimits(parseItemsParam(param), LIMITS)).toThrow(message);
  });
});

describe('idempotency key per cart', () => {
  beforeEach(() => {
    installStorage();
  });

  it('keys are 8–64 chars of a header-safe alphabet and unique', () => {
    const keys = new Set(Array.from({ length: 200 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9-]{8,64}$/);
  });

  it('the same cart (in any order) keeps its key; another remark or cart gets another', () => {
    const a = {
      items: [
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 2 },
      ],
      remark: '',
    };
    const reordered = {
      items: [
        { sku: 'B', quantity: 2 },
        { sku: 'A', quantity: 1 },
      ],
      remark: '',
    };
    expect(cartFingerprint(a)).toBe(cartFingerprint(reordered));
    const key = idempotencyKeyFor(a);
    expect(idempotencyKeyFor(reordered)).toBe(key);
    expect(idempotencyKeyFor({ ...a, remark: 'gift' })).not.toBe(key);
    expect(idempotencyKeyFor({ ...a, items: [{ sku: 'A', quantity: 2 }] })).not.toBe(key);
    // Switching back to the first remark returns to the first order.
    expect(idempotencyKeyFor(a)).toBe(key);
    forgetIdempotencyKey(a);
    expect(idempotencyKeyFor(a)).not.toBe(key);
  });

  it('keeps a bounded number of keys and survives garbage in storage', () => {
    const store = installStorage();
    store.set('shop:idempotency-keys', JSON.stringify('garbage'));
    const first = idempotencyKeyFor({ items: [{ sku: 'S0', quantity: 1 }], remark: '' });
    for (let i = 1; i <= 30; i += 1) {
      idempotencyKeyFor({ items: [{ sku: `S${i}`, quantity: 1 }], remark: '' });
    }
    expect((JSON.parse(store.get('shop:idempotency-keys') ?? '[]') as unknown[]).length).toBe(20);
    expect(idempotencyKeyFor({ items: [{ sku: 'S0', quantity: 1 }], remark: '' })).not.toBe(first);
  });
});
