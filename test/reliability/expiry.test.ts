/**
 * Finding: an expired order with a prepay closed late, because each background query pushed its
 * next check back by QUERY_DELAY_SECONDS past the expiry. An order must be closed (here and at
 * WeChat) by the first close-job round after it expires, however recently it was queried.
 */
import { startStack } from '../../dev/stack';
import type { Stack } from '../../dev/stack';
import { call, createOrder, pay, placedOrder, session, storedStatus } from '../server/http';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    serverConfig: { jobsEnabled: false, orderTtlSeconds: 60, queryDelaySeconds: 30 },
  });
});

afterAll(() => stack?.close());

it('closes an order in the first job round after expiry, though it was just queried', async () => {
  const { o } = await placedOrder(stack, 'late-closer');
  await stack.advance(40); // prepay 40 s old: the query job asks WeChat (NOTPAY)
  await stack.server.jobs.runOnce();
  expect(await storedStatus(stack, o.orderNo)).toBe('pending');
  const queried = await stack.server.storage.orders.find(o.orderNo);
  expect(queried?.last_query_at).not.toBeNull();

  await stack.advance(21); // 1 s past expiry, 21 s after that query
  await stack.server.jobs.runOnce();
  expect(await storedStatus(stack, o.orderNo)).toBe('closed');
  const atWechat = await call<{ tradeState?: string; state?: string }>(
    `${stack.sandboxUrl}/sandbox/orders/${o.orderNo}`,
  );
  expect(atWechat.body.state ?? atWechat.body.tradeState).toBe('CLOSED');
});

it('closes at expiry an order whose prepay was placed less than a query delay before it', async () => {
  const s = await session(stack, 'last-minute');
  const o = await createOrder(stack);
  await stack.advance(50);
  expect((await pay(stack, o, s.token)).status).toBe(200); // prepay 10 s before expiry
  await stack.advance(11);
  await stack.server.jobs.runOnce();
  expect(await storedStatus(stack, o.orderNo)).toBe('closed');
});
