/** What the pages render for an order: display strings only, all formatted from fen. */
import type { Order } from '../../typings';
import type { ShopMessages } from './i18n';
import { formatDiscount, formatPrice, spokenPrice } from './money';

export interface LineView {
  sku: string;
  name: string;
  spec: string;
  unitPrice: string;
  quantity: number;
  subtotal: string;
  label: string;
}

export interface OrderView {
  orderNo: string;
  lines: LineView[];
  goods: string;
  shipping: string;
  discount: string;
  hasDiscount: boolean;
  total: string;
  totalLabel: string;
  remark: string;
}

export function orderView(order: Order, m: ShopMessages): OrderView {
  const b = order.breakdown;
  return {
    orderNo: order.orderNo,
    lines: order.items.map((line) => ({
      sku: line.sku,
      name: line.name,
      spec: line.spec,
      unitPrice: formatPrice(line.unitPrice),
      quantity: line.quantity,
      subtotal: formatPrice(line.subtotal),
      label: m.lineLabel({
        name: line.name,
        spec: line.spec,
        unitPrice: spokenPrice(line.unitPrice, m),
        quantity: line.quantity,
      }),
    })),
    goods: formatPrice(b.goods),
    shipping: b.shipping === 0 ? m.free : formatPrice(b.shipping),
    discount: formatDiscount(b.discount),
    hasDiscount: b.discount !== 0,
    total: formatPrice(order.total),
    totalLabel: m.amountDueLabel(spokenPrice(order.total, m)),
    remark: order.remark ?? '',
  };
}

/**
 * `2026-11-23T13:45:10.000Z` → `2026年11月23日 21:45:10` (`23 Nov 2026, 21:45:10`) in the phone's
 * time zone.
 */
export function formatLocalTime(iso: string, m: Pick<ShopMessages, 'dateTime'>): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const d = new Date(ms);
  return m.dateTime({
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
  });
}
