/**
 * Finding: a refund that failed upstream blocked its own retry ("refund amount must be between
 * 1 and 0 fen") until the refund job cleared it. A retry now asks WeChat about the earlier
 * refund first: never created there → the amount is free again and the retry is made; still
 * unanswerable → a truthful 409 REFUND_IN_PROGRESS, with nothing recorded twice.
 */
import { startStack } from '../../dev/stack';
import type { Stack } from '../../dev/stack';
import type { ApiError, RefundResponse } from '../../typings/api';
import { call, clearFaults, faults, paidOrder } from '../server/http';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ serverConfig: { jobsEnabled: false, wechatRetries: 0 } });
});

afterAll(() => stack?.close());

const refund = (orderNo: string, body: object) =>
  call<RefundResponse & ApiError>(`${stack.serverUrl}/api/orders/${orderNo}/refund`, {
    token: stack.adminToken,
    body,
  });

const refundsOf = (orderNo: string) =>
  stack.server.storage.db
    .selectFrom('refunds')
    .select(['amount', 'status'])
    .where('order_no', '=', orderNo)
    .execute();

afterEach(() => clearFaults(stack));

it('retries at once after WeChat failed the first refund before making it', async () => {
  const { o } = await paidOrder(stack, 'refund-retry-1');
  await faults(stack, [{ endpoint: 'refund', kind: 'system_error', times: 1 }]);
  const failed = await refund(o.orderNo, {});
  expect(failed.status).toBe(502);
  expect(failed.body.code).toBe('UPSTREAM_ERROR');

  const retry = await refund(o.orderNo, {});
  expect(retry.status).toBe(200);
  expect(retry.body.amount).toBe(o.total);
  const rows = await refundsOf(o.orderNo);
  expect(rows.map((r) => r.status).sort()).toEqual([
    'closed',
    expect.stringMatching(/processing|success/),
  ]);
});

it('answers 409 REFUND_IN_PROGRESS while WeChat cannot say what became of the first', async () => {
  const { o } = await paidOrder(stack, 'refund-retry-2');
  await faults(stack, [
    { endpoint: 'refund', kind: 'system_error', times: 1 },
    { endpoint: 'refund-query', kind: 'system_error' },
  ]);
  expect((await refund(o.orderNo, {})).status).toBe(502);
  const retry = await refund(o.orderNo, {});
  expect(retry.status).toBe(409);
  expect(retry.body.code).toBe('REFUND_IN_PROGRESS');
  expect(retry.body.message).toMatch(/still being processed/);
  expect(await refundsOf(o.orderNo)).toEqual([{ amount: o.total, status: 'processing' }]);
});
