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

describe('API v2: WeChat may not close an order within 5 minutes of placing it', () => {
  let v2: Stack;
  beforeAll(async () => {
    v2 = await startStack({
      scheme: 'v2',
      serverConfig: { jobsEnabled: false, orderTtlSeconds: 60, queryDelaySeconds: 30 },
    });
  });
  afterAll(() => v2?.close());

  const wechatState = async (orderNo: string) =>
    (await call<{ state: string }>(`${v2.sandboxUrl}/sandbox/orders/${orderNo}`)).body.state;

  it('the close job waits (the order stays unpayable), then closes after 5 minutes', async () => {
    // A 1 ms latency fault on close counts every closeorder call the sandbox receives.
    const counter = { endpoint: 'close', kind: 'latency', latencyMs: 1 };
    await call(`${v2.sandboxUrl}/sandbox/faults`, { method: 'PUT', body: [counter] });
    const closeCalls = async () =>
      (await call<{ faults: Array<{ applied: number }> }>(`${v2.sandboxUrl}/sandbox/faults`)).body
        .faults[0]?.applied;
    const { o } = await placedOrder(v2, 'v2-closer');
    await v2.advance(61); // expired, but placed only 61 s ago
    await v2.server.jobs.runOnce();
    expect(await closeCalls()).toBe(0);
    expect(await storedStatus(v2, o.orderNo)).toBe('pending');
    expect(await wechatState(o.orderNo)).toBe('NOTPAY');
    // Past expiry the server pays nothing, whatever WeChat still allows.
    const s = await session(v2, 'v2-closer');
    expect((await pay(v2, o, s.token)).status).toBe(409);

    await v2.advance(240); // 5 minutes and 1 s after placing
    await v2.server.jobs.runOnce();
    expect(await closeCalls()).toBe(1);
    expect(await storedStatus(v2, o.orderNo)).toBe('closed');
    expect(await wechatState(o.orderNo)).toBe('CLOSED');
  });
});
