/**
 * The catalogue's words reach the payer: `describe()` is WeChat Pay's `description` (API v3,
 * ≤ 127 characters) and `body` (API v2, cut again to 128 bytes by the v2 gateway), what the
 * shopper reads in WeChat's bill, in Chinese like the shop.
 */
import { PRODUCTS, describe as describeOrder, priceItems } from '../../server/catalog';

it('one line: the product and how many', () => {
  const { lines } = priceItems([{ sku: 'TEA-LJ-250', quantity: 2 }]);
  expect(describeOrder(lines)).toBe('西湖龙井茶 ×2');
});

it('several lines: the first product and every piece counted', () => {
  const { lines } = priceItems([
    { sku: 'TEA-LJ-250', quantity: 1 },
    { sku: 'CUP-CLAY-01', quantity: 2 },
  ]);
  expect(describeOrder(lines)).toBe('西湖龙井茶等3件商品');
});

it('never more than 127 characters, cut between characters, not inside one', () => {
  const [tea] = priceItems([{ sku: 'TEA-LJ-250', quantity: 1 }]).lines;
  const long = { ...tea!, name: '龍'.repeat(100) + '𠀀'.repeat(40) };
  const text = describeOrder([long]);
  expect(Array.from(text)).toHaveLength(127);
  expect(text.endsWith('𠀀')).toBe(true);
  expect(text).not.toMatch(/[\uD800-\uDBFF]$/);
});

it('every product has a Chinese name and spec for the bill and the pages', () => {
  for (const product of PRODUCTS) {
    expect(product.name).toMatch(/^[\u4e00-\u9fff]+$/);
    expect(product.spec).toMatch(/[\u4e00-\u9fff]/);
  }
});
