/**
 * Reliability, access: who may do what. Another payer's order, forged, malformed and expired
 * session tokens, the admin token, and the rate limits, each refused in the contract and
 * changing nothing. (Order tokens before binding: order-access.test.ts.) On SQLite and
 * PostgreSQL.
 */
import type { ApiError } from '../../typings/api';
import { call, createOrder, paidOrder, pay, placedOrder, session } from '../server/http';
import { databases, tableCounts, useStack } from './suite';
import { useTally } from './tally';

const FORGED_BEARERS: Array<[string, string]> = [
  ['an unknown token of the right shape', 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ['a token with a bad alphabet', 'Bearer ../../etc/passwd..........'],
  ['a too-short token', 'Bearer abc'],
  ['no scheme', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ['Basic auth', 'Basic dXNlcjpwYXNzd29yZA=='],
  ['an empty bearer', 'Bearer '],
];

describe.each(databases('access cases'))('access on %s', (db) => {
  const env = useStack(db);
  const tally = useTally('access', db);

  const refused = async (
    r: Promise<{ status: number; body: unknown }>,
    status: number,
    code: ApiError['code'],
  ) => {
    const answer = await r;
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ code, message: expect.any(String) });
  };

  it('another payer can neither read nor pay a bound order, nor refund it', async () => {
    await tally.check("another payer's order", async () => {
      const { stack } = env;
      const { o } = await placedOrder(stack, `ac-owner-${db}`);
      const other = await session(stack, `ac-other-${db}`);
      const before = await tableCounts(stack);
      const url = `${stack.serverUrl}/api/orders/${o.orderNo}`;
      await refused(call(url, { token: other.token }), 403, 'FORBIDDEN');
      await refused(pay(stack, o, other.token), 403, 'FORBIDDEN');
      await refused(call(`${url}/refund`, { body: {}, token: other.token }), 401, 'UNAUTHORIZED');
      expect(await tableCounts(stack)).toEqual(before);
    });
  });

  it.each(FORGED_BEARERS)(
    'refuses %s with 401 everywhere a session is read',
    async (name, bearer) => {
      await tally.check(`forged bearer: ${name}`, async () => {
        const { stack } = env;
        const o = await createOrder(stack);
        const before = await tableCounts(stack);
        const headers = { authorization: bearer };
        const url = `${stack.serverUrl}/api/orders/${o.orderNo}`;
        await refused(call(url, { headers }), 401, 'UNAUTHORIZED');
        await refused(call(`${url}/pay`, { method: 'POST', headers }), 401, 'UNAUTHORIZED');
        await refused(
          call(`${stack.serverUrl}/api/orders`, {
            body: { items: [{ sku: 'MUG-ENAMEL', quantity: 1 }] },
            headers,
          }),
          401,
          'UNAUTHORIZED',
        );
        await refused(call(`${url}/refund`, { body: {}, headers }), 401, 'UNAUTHORIZED');
        expect(await tableCounts(stack)).toEqual(before);
      });
    },
  );

  it('an expired session token is refused; a fresh sign-in works', async () => {
    await tally.check('expired session', async () => {
      const { stack } = env;
      const s = await session(stack, `ac-expired-${db}`);
      const o = await createOrder(stack);
      await stack.advance(stack.config.sessionTtlSeconds + 1);
      await refused(pay(stack, o, s.token), 401, 'UNAUTHORIZED');
      const row = await stack.server.storage.orders.find(o.orderNo);
      expect(row?.openid).toBeNull();
      const fresh = await session(stack, `ac-expired-${db}`);
      // The clock moved past the order's expiry too: the fresh session is let in, the order is not.
      await refused(pay(stack, o, fresh.token), 409, 'ORDER_NOT_PAYABLE');
    });
  });

  it('refunds need the admin token: none, a wrong one, a session token are all 401', async () => {
    await tally.check('admin token', async () => {
      const { stack } = env;
      const { s, o } = await paidOrder(stack, `ac-admin-${db}`);
      const url = `${stack.serverUrl}/api/orders/${o.orderNo}/refund`;
      const before = await tableCounts(stack);
      await refused(call(url, { body: {} }), 401, 'UNAUTHORIZED');
      await refused(call(url, { body: {}, token: `${stack.adminToken}x` }), 401, 'UNAUTHORIZED');
      await refused(
        call(url, { body: {}, token: stack.adminToken.slice(0, -1) }),
        401,
        'UNAUTHORIZED',
      );
      await refused(call(url, { body: {}, token: s.token }), 401, 'UNAUTHORIZED');
      expect(await tableCounts(stack)).toEqual(before);
      expect((await call(url, { body: {}, token: stack.adminToken })).status).toBe(200);
    });
  });
});

describe.each(databases('rate-limit cases'))('rate limits on %s', (db) => {
  const env = useStack(db, { serverConfig: { orderRateLimit: 5, sessionRateLimit: 5 } });
  const tally = useTally('access', db);

  it('the sixth create in a minute is 429 RATE_LIMITED and creates nothing', async () => {
    await tally.check('order rate limit', async () => {
      const { stack } = env;
      const create = () =>
        call<ApiError>(`${stack.serverUrl}/api/orders`, {
          body: { items: [{ sku: 'MUG-ENAMEL', quantity: 1 }] },
        });
      for (let i = 0; i < 5; i++) expect((await create()).status).toBe(201);
      const before = await tableCounts(stack);
      const r = await create();
      expect(r.status).toBe(429);
      expect(r.body).toEqual({ code: 'RATE_LIMITED', message: expect.any(String) });
      expect(await tableCounts(stack)).toEqual(before);
    });
  });

  it('the sixth sign-in in a minute is 429 RATE_LIMITED and stores no session', async () => {
    await tally.check('session rate limit', async () => {
      const { stack } = env;
      const answers = [];
      for (let i = 0; i < 6; i++) {
        const { code } = await (
          await fetch(`${stack.sandboxUrl}/sandbox/login-code`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ user: `ac-rate-${db}-${i}` }),
          })
        ).json();
        answers.push(await call<ApiError>(`${stack.serverUrl}/api/session`, { body: { code } }));
      }
      expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(answers[5]?.status).toBe(429);
      expect(answers[5]?.body).toEqual({ code: 'RATE_LIMITED', message: expect.any(String) });
      expect((await tableCounts(stack)).sessions).toBe(5);
    });
  });
});
