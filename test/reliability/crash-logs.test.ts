/**
 * Finding: a SIGKILL could drop the last log lines, e.g. the "order paid" line of a committed
 * payment. The server process here runs as in production (its own process, stdout a pipe, info
 * level) and is killed the moment WeChat has its answer to the payment notification: the line
 * must be in its output.
 */
import { startProcessStack } from '../../dev/processes';
import type { ProcessStack } from '../../dev/processes';
import { cashier, placedOrder, waitFor } from '../server/http';

let stack: ProcessStack;

beforeAll(async () => {
  stack = await startProcessStack({ serverEnv: { LOG_LEVEL: 'info' } });
}, 60_000);

afterAll(() => stack?.close());

it('keeps the "order paid" line of a payment answered just before a SIGKILL', async () => {
  const { s, o, p } = await placedOrder(stack, 'killed-mid-log');
  expect(await cashier(stack, s.openid, p.body, 'success')).toBe('requestPayment:ok');
  // Killed the moment WeChat has the server's 2xx: what was logged before answering must be out.
  const delivered = async (): Promise<boolean> => {
    const res = await fetch(`${stack.sandboxUrl}/sandbox/notifications`);
    const { notifications } = (await res.json()) as {
      notifications: { outTradeNo?: string; state: string }[];
    };
    return notifications.some((n) => n.outTradeNo === o.orderNo && n.state === 'delivered');
  };
  await waitFor(delivered, 10_000);
  stack.server.child.kill('SIGKILL');
  await new Promise((resolve) => stack.server.child.once('exit', resolve));
  const paidLine = stack.server
    .output()
    .split('\n')
    .find((l) => l.includes('"order paid"') && l.includes(o.orderNo));
  expect(paidLine).toBeDefined();
});
