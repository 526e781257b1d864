/**
 * Finding: until its first payment an order number worked as a password (whoever held it could
 * read the order, remark included, and pay first, binding it to themselves), and Idempotency-Keys
 * were global (the same key and body returned another client's order). Now an order opens only
 * with the capability token its creator got, or for its bound payer; keys are scoped to the
 * client that sent them. On SQLite and PostgreSQL.
 */
import type { ApiError, CreatedOrder, Order } from '../../typings/api';
import { call, orderHeaders, pay, session } from '../server/http';
import { databases, useStack } from './suite';
import { useTally } from './tally';

const kinds = databases('order-access tests');

const ITEMS = [{ sku: 'MUG-ENAMEL', quantity: 1 }];

describe.each(kinds)('order access on %s', (kind) => {
  const env = useStack(kind);

  const tally = useTally('access', kind);
  const url = (path: string) => `${env.stack.serverUrl}${path}`;
  const create = (headers: Record<string, string> = {}, token?: string) =>
    call<CreatedOrder>(url('/api/orders'), {
      body: { items: ITEMS, remark: 'leave at the door' },
      headers,
      token,
    });
  const payerOf = async (orderNo: string) =>
    (
      await env.stack.server.storage.db
        .selectFrom('orders')
        .select('openid')
        .where('order_no', '=', orderNo)
        .executeTakeFirstOrThrow()
    ).openid;

  it('the number alone neither reads nor pays an order that has no payer', async () => {
    await tally.check(
      'order token: the number alone neither reads nor pays an order that has no payer',
      async () => {
        const { body: o } = await create();
        expect(o.orderToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
        const stranger = await session(env.stack, `stranger-${kind}`);

        const anonymous = await call<ApiError>(url(`/api/orders/${o.orderNo}`));
        expect(anonymous.status).toBe(401);
        expect(anonymous.body.code).toBe('UNAUTHORIZED');
        const signedIn = await call<ApiError>(url(`/api/orders/${o.orderNo}`), {
          token: stranger.token,
        });
        expect(signedIn.status).toBe(403);
        expect(JSON.stringify(signedIn.body)).not.toContain('leave at the door');
        const paid = await pay(env.stack, o.orderNo, stranger.token);
        expect(paid.status).toBe(403);
        expect(paid.body).toMatchObject({ code: 'FORBIDDEN' });
        // A wrong token of the right shape is no better; a malformed one is a 400.
        const forged = { 'x-order-token': 'A'.repeat(43) };
        expect((await call(url(`/api/orders/${o.orderNo}`), { headers: forged })).status).toBe(403);
        expect(
          (
            await call(url(`/api/orders/${o.orderNo}/pay`), {
              method: 'POST',
              token: stranger.token,
              headers: forged,
            })
          ).status,
        ).toBe(403);
        const malformed = await call<ApiError>(url(`/api/orders/${o.orderNo}`), {
          headers: { 'x-order-token': 'short' },
        });
        expect([malformed.status, malformed.body.code]).toEqual([400, 'VALIDATION_ERROR']);
        // Nothing changed: still no payer.
        expect(await payerOf(o.orderNo)).toBeNull();
      },
    );
  });

  it('the creator reads with the token, pays with it, and the payer reads with the session', async () => {
    await tally.check(
      'order token: the creator reads with the token, pays with it, and the payer reads with the session',
      async () => {
        const { body: o } = await create();
        const read = await call<Order>(url(`/api/orders/${o.orderNo}`), {
          headers: orderHeaders(o),
        });
        expect(read.status).toBe(200);
        expect(read.body.remark).toBe('leave at the door');
        expect('orderToken' in read.body).toBe(false);

        const payer = await session(env.stack, `payer-${kind}`);
        expect((await pay(env.stack, o, payer.token)).status).toBe(200);
        expect(await payerOf(o.orderNo)).toBe(payer.openid);
        // Once bound: the payer's session opens it, the token still reads it (a host's status
        // check), and the token does not let anyone else pay it.
        expect((await call(url(`/api/orders/${o.orderNo}`), { token: payer.token })).status).toBe(
          200,
        );
        expect(
          (await call(url(`/api/orders/${o.orderNo}`), { headers: orderHeaders(o) })).status,
        ).toBe(200);
        const other = await session(env.stack, `other-${kind}`);
        const stolen = await pay(env.stack, o, other.token);
        expect([stolen.status, stolen.body]).toEqual([
          403,
          { code: 'FORBIDDEN', message: 'this order belongs to another payer' },
        ]);
        expect(await payerOf(o.orderNo)).toBe(payer.openid);
        // The repeat payment needs no token.
        expect((await pay(env.stack, o.orderNo, payer.token)).status).toBe(200);
      },
    );
  });

  it('an Idempotency-Key is scoped to its client', async () => {
    await tally.check('order token: an Idempotency-Key is scoped to its client', async () => {
      const key = { 'idempotency-key': `shared-key-${kind}-0001` };
      const alice = await session(env.stack, `idem-alice-${kind}`);
      const bob = await session(env.stack, `idem-bob-${kind}`);

      const first = await create(key, alice.token);
      const again = await create(key, alice.token);
      expect([first.status, again.status]).toEqual([201, 200]);
      expect(again.body).toEqual(first.body);

      // The same key and body from another client is another order, with its own token.
      const bobs = await create(key, bob.token);
      const anonymous = await create(key);
      expect([bobs.status, anonymous.status]).toEqual([201, 201]);
      const numbers = new Set([first.body.orderNo, bobs.body.orderNo, anonymous.body.orderNo]);
      expect(numbers.size).toBe(3);
      const tokens = new Set([
        first.body.orderToken,
        bobs.body.orderToken,
        anonymous.body.orderToken,
      ]);
      expect(tokens.size).toBe(3);
      // The anonymous replay is the anonymous order.
      expect((await create(key)).body).toEqual(anonymous.body);
      // A forged bearer is refused rather than treated as anonymous.
      const forged = await call<ApiError>(url('/api/orders'), {
        body: { items: ITEMS },
        headers: { ...key, authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      });
      expect([forged.status, forged.body.code]).toEqual([401, 'UNAUTHORIZED']);
    });
  });
});
