import { messagesFor } from '../../../miniprogram/lib/i18n';
import type { Order } from '../../../typings';
import {
  isFinal,
  isPayable,
  pollDelaysFor,
  pollPolicy,
  resultStateOf,
} from '../../../miniprogram/lib/order-status';
import { formatLocalTime, orderView } from '../../../miniprogram/lib/order-view';

const NOW = Date.UTC(2026, 10, 23, 13, 0, 0);

function order(patch: Partial<Order> = {}): Order {
  return {
    orderNo: 'ORD20261123ABC',
    status: 'pending',
    total: 23600,
    currency: 'CNY',
    items: [
      {
        sku: 'TEA-LJ-250',
        name: '西湖龙井茶',
        spec: '250 克罐装',
        unitPrice: 12800,
        quantity: 2,
        subtotal: 25600,
      },
    ],
    breakdown: { goods: 25600, shipping: 0, discount: 2000, total: 23600 },
    createdAt: new Date(NOW - 60_000).toISOString(),
    expiresAt: new Date(NOW + 14 * 60_000).toISOString(),
    ...patch,
  };
}

describe('result state from the server order', () => {
  it('paid and refunded orders are paid whatever the client said', () => {
    for (const outcome of ['success', 'cancel', 'unknown'] as const) {
      expect(resultStateOf(order({ status: 'paid' }), NOW, outcome)).toBe('paid');
      expect(resultStateOf(order({ status: 'refunded' }), NOW, outcome)).toBe('paid');
      expect(resultStateOf(order({ status: 'closed' }), NOW, outcome)).toBe('expired');
    }
  });

  it('a pending order is confirming after a reported success, unpaid after a cancel', () => {
    expect(resultStateOf(order(), NOW, 'success')).toBe('confirming');
    expect(resultStateOf(order(), NOW, 'unknown')).toBe('confirming');
    expect(resultStateOf(order(), NOW, 'cancel')).toBe('unpaid');
  });

  it('a pending order past its expiry is expired even before the server closes it', () => {
    const o = order({ expiresAt: new Date(NOW - 1).toISOString() });
    expect(resultStateOf(o, NOW, 'success')).toBe('expired');
    expect(isPayable(o, NOW)).toBe(false);
    expect(isPayable(order(), NOW)).toBe(true);
    expect(isPayable(order({ status: 'paid' }), NOW)).toBe(false);
  });

  it('final states stop polling; the poll budget is bounded', () => {
    expect(isFinal('paid')).toBe(true);
    expect(isFinal('expired')).toBe(true);
    expect(isFinal('confirming')).toBe(false);
    expect(isFinal('unpaid')).toBe(false);
    const total = pollPolicy.delaysMs.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(30_000);
    expect(pollPolicy.delaysMs.every((d, i, all) => i === 0 || d >= (all[i - 1] ?? 0))).toBe(true);
  });

  it('a return from a cashier mini program waits about 8 s, not 25, before "unpaid"', () => {
    const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
    expect(pollDelaysFor('returned')).toBe(pollPolicy.returnedDelaysMs);
    expect(sum(pollDelaysFor('returned'))).toBeLessThanOrEqual(10_000);
    expect(pollDelaysFor('success')).toBe(pollPolicy.delaysMs);
    expect(pollDelaysFor('unknown')).toBe(pollPolicy.delaysMs);
  });
});

const en = messagesFor('en');
const zh = messagesFor('zh');

describe('order view', () => {
  it('formats every amount from fen', () => {
    const v = orderView(order({ remark: 'no ribbon' }), en);
    expect(v.lines[0]).toMatchObject({ unitPrice: '¥128.00', quantity: 2, subtotal: '¥256.00' });
    expect(v.lines[0]?.label).toBe('西湖龙井茶, 250 克罐装, 128.00 yuan each, quantity 2');
    expect(v).toMatchObject({
      goods: '¥256.00',
      shipping: 'Free',
      discount: '-¥20.00',
      hasDiscount: true,
      total: '¥236.00',
      totalLabel: 'Amount due 236.00 yuan',
      remark: 'no ribbon',
    });
    const small = orderView(
      order({ total: 3300, breakdown: { goods: 2500, shipping: 800, discount: 0, total: 3300 } }),
      en,
    );
    expect(small).toMatchObject({ shipping: '¥8.00', hasDiscount: false, remark: '' });
  });

  it('formats local times and refuses garbage', () => {
    expect(formatLocalTime('nope', en)).toBe('');
    const iso = new Date(2026, 0, 2, 3, 4, 5).toISOString();
    expect(formatLocalTime(iso, en)).toBe('2 Jan 2026, 03:04:05');
    expect(formatLocalTime(iso, zh)).toBe('2026年1月2日 03:04:05');
  });

  it('says the order in Chinese', () => {
    const v = orderView(order({ remark: 'no ribbon' }), zh);
    expect(v.lines[0]?.label).toBe('西湖龙井茶，250 克罐装，单价128.00元，数量2');
    expect(v).toMatchObject({ shipping: '免运费', totalLabel: '应付金额236.00元' });
  });
});
