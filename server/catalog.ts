/**
 * The demo catalogue and pricing rules. Prices are integer fen and come only from here:
 * whatever a client shows is display only.
 *
 * Rules (kept deliberately simple):
 * - shipping: 800 fen, free when goods ≥ 9,900 fen;
 * - discount: 1,000 fen off when goods ≥ 20,000 fen;
 * - total = goods + shipping − discount.
 */
import type { CatalogProduct, CreateOrderItem, OrderBreakdown, OrderLine } from '../typings/api';

export const PRODUCTS: readonly CatalogProduct[] = [
  {
    sku: 'TEA-LJ-250',
    name: '西湖龙井茶',
    spec: '250 克罐装',
    price: 12800,
    maxQuantity: 10,
  },
  { sku: 'CUP-CLAY-01', name: '宜兴紫砂杯', spec: '80 毫升', price: 3900, maxQuantity: 20 },
  { sku: 'MUG-ENAMEL', name: '搪瓷杯', spec: '350 毫升，白色', price: 2500, maxQuantity: 20 },
  {
    sku: 'SAMPLE-1F',
    name: '测试商品',
    spec: '1 分钱，用于真实付款测试',
    price: 1,
    maxQuantity: 5,
  },
];

export const LIMITS = {
  /** Distinct lines per order. */
  maxLines: 10,
  /** Hard ceiling on any quantity, before the per-product maxQuantity. */
  maxQuantity: 99,
  /** Largest amount one order may charge (fen): 50,000 CNY. */
  maxTotal: 5_000_000,
  /** Characters in the optional remark. */
  maxRemark: 200,
} as const;

export const SHIPPING_FEE = 800;
export const FREE_SHIPPING_FROM = 9900;
export const DISCOUNT = 1000;
export const DISCOUNT_FROM = 20000;

const bySku = new Map(PRODUCTS.map((p) => [p.sku, p]));

export class PricingError extends Error {}

export interface PricedOrder {
  lines: OrderLine[];
  breakdown: OrderBreakdown;
}

export function priceItems(
  items: readonly CreateOrderItem[],
  maxTotal: number = LIMITS.maxTotal,
): PricedOrder {
  if (items.length === 0) throw new PricingError('an order needs at least one item');
  if (items.length > LIMITS.maxLines)
    throw new PricingError(`at most ${LIMITS.maxLines} lines per order`);
  const seen = new Set<string>();
  const lines: OrderLine[] = [];
  for (const item of items) {
    const product = bySku.get(item.sku);
    if (!product) throw new PricingError(`unknown sku ${item.sku}`);
    if (seen.has(item.sku)) throw new PricingError(`sku ${item.sku} appears twice`);
    seen.add(item.sku);
    if (
      !Number.isSafeInteger(item.quantity) ||
      item.quantity < 1 ||
      item.quantity > product.maxQuantity
    ) {
      throw new PricingError(
        `quantity of ${item.sku} must be an integer from 1 to ${product.maxQuantity}`,
      );
    }
    lines.push({
      sku: product.sku,
      name: product.name,
      spec: product.spec,
      unitPrice: product.price,
      quantity: item.quantity,
      subtotal: product.price * item.quantity,
    });
  }
  const goods = lines.reduce((sum, l) => sum + l.subtotal, 0);
  const shipping = goods >= FREE_SHIPPING_FROM ? 0 : SHIPPING_FEE;
  const discount = goods >= DISCOUNT_FROM ? DISCOUNT : 0;
  const total = goods + shipping - discount;
  if (total > maxTotal) throw new PricingError(`total exceeds the limit of ${maxTotal} fen`);
  return { lines, breakdown: { goods, shipping, discount, total } };
}

/**
 * WeChat Pay `description` (≤ 127 characters; API v2 cuts `body` to 128 bytes itself): what the
 * payer reads in WeChat's bill, so in Chinese like the catalogue: `西湖龙井茶 ×2`, or
 * `西湖龙井茶等3件商品` counting every piece.
 */
export function describe(lines: readonly OrderLine[]): string {
  const first = lines[0];
  if (!first) return '商品订单';
  const pieces = lines.reduce((sum, l) => sum + l.quantity, 0);
  const text =
    lines.length === 1 ? `${first.name} ×${first.quantity}` : `${first.name}等${pieces}件商品`;
  return Array.from(text).slice(0, 127).join('');
}
