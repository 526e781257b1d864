/** What the pages render for an order: display strings only, all formatted from fen. */
import type { Order } from '../../typings';
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

export function orderView(order: Order): OrderView {
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
      label: `${line.name}, ${line.spec}, ${spokenPrice(line.unitPrice)} each, quantity ${line.quantity}`,
    })),
    goods: formatPrice(b.goods),
    shipping: b.shipping === 0 ? 'Free' : formatPrice(b.shipping),
    discount: formatDiscount(b.discount),
    hasDiscount: b.discount !== 0,
    total: formatPrice(order.total),
    totalLabel: `Amount due ${spokenPrice(order.total)}`,
    remark: order.remark ?? '',
  };
}

/** `2026-11-23T13:45:10.000Z` → `2026-11-23 21:45:10` in the phone's time zone. */
export function formatLocalTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const d = new Date(ms);
  const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  );
}
