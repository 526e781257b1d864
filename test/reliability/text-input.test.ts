/**
 * Finding: a NUL byte in free text was a 500 on PostgreSQL (SQLite stored it). Text that
 * cannot be stored the same way on both databases is refused at the schema: a 400 naming the
 * field, on SQLite and on PostgreSQL, and nothing is written.
 */
import type { ApiError, Order } from '../../typings/api';
import { call, paidOrder } from '../server/http';
import { databases, useStack } from './suite';

const kinds = databases('text-input tests');

const REFUSED_REMARKS: [string, string][] = [
  ['NUL', 'a\u0000b'],
  ['BEL', 'ring\u0007'],
  ['ESC (terminal escape)', '\u001b[31mred'],
  ['DEL', 'x\u007f'],
  ['lone high surrogate', 'x\ud800y'],
  ['lone low surrogate', '\udc00'],
];

describe.each(kinds)('free text on %s', (kind) => {
  const env = useStack(kind);

  const count = async (table: 'orders' | 'refunds'): Promise<number> => {
    const r = await env.stack.server.storage.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };

  it.each(REFUSED_REMARKS)(
    'refuses a remark with %s: 400 naming the field, no order',
    async (_, remark) => {
      const before = await count('orders');
      const r = await call<ApiError>(`${env.stack.serverUrl}/api/orders`, {
        body: { items: [{ sku: 'MUG-ENAMEL', quantity: 1 }], remark },
      });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('VALIDATION_ERROR');
      expect(r.body.message).toMatch(/remark/);
      expect(r.body.message).toMatch(/control characters/);
      expect(await count('orders')).toBe(before);
    },
  );

  it('keeps line breaks, tabs, emoji and CJK in a remark as typed', async () => {
    const remark = '请在周末送达\n\t门口放 📦';
    const r = await call<Order>(`${env.stack.serverUrl}/api/orders`, {
      body: { items: [{ sku: 'MUG-ENAMEL', quantity: 1 }], remark },
    });
    expect(r.status).toBe(201);
    expect(r.body.remark).toBe(remark);
    const back = await env.stack.server.storage.orders.find(r.body.orderNo);
    expect(back?.remark).toBe(remark);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['line break', 'two\nlines'],
    ['lone surrogate', '\ud83d'],
  ])('refuses a refund reason with %s, and records no refund', async (_, reason) => {
    const { o } = await paidOrder(
      env.stack,
      `reason-${kind}-${reason.length}-${reason.charCodeAt(0)}`,
    );
    const before = await count('refunds');
    const r = await call<ApiError>(`${env.stack.serverUrl}/api/orders/${o.orderNo}/refund`, {
      token: env.stack.adminToken,
      body: { amount: 1, reason },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('VALIDATION_ERROR');
    expect(r.body.message).toMatch(/reason/);
    expect(await count('refunds')).toBe(before);
    expect((await env.stack.server.storage.orders.find(o.orderNo))?.status).toBe('paid');
  });
});
