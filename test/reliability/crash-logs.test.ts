/**
 * Finding: a SIGKILL could drop the last log lines, e.g. the "order paid" line of a committed
 * payment. The server process here runs as in production (its own process, stdout a pipe, info
 * level) and is killed the moment WeChat has its answer to the payment notification: the line must be
 * in its output.
 */
import { startProcessStack } from '../../dev/processes';
import type { ProcessStack } from '../../dev/processes';
import type { Order, SessionResponse } from '../../typings/api';
import type { RequestPaymentArgs } from '../../typings/payment';

let stack: ProcessStack;

beforeAll(async () => {
  stack = await startProcessStack({ serverEnv: { LOG_LEVEL: 'info' } });
}, 60_000);

afterAll(() => stack?.close());

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

it('keeps the "order paid" line of a payment answered just before a SIGKILL', async () => {
  const { code, openid } = await post<{ code: string; openid: string }>(
    `${stack.sandboxUrl}/sandbox/login-code`,
    { user: 'killed-mid-log' },
  );
  const s = await post<SessionResponse>(`${stack.serverUrl}/api/session`, { code });
  const o = await post<Order>(`${stack.serverUrl}/api/orders`, {
    items: [{ sku: 'MUG-ENAMEL', quantity: 1 }],
  });
  const args = await post<RequestPaymentArgs>(
    `${stack.serverUrl}/api/orders/${o.orderNo}/pay`,
    {},
    s.token,
  );
  await post(`${stack.sandboxUrl}/sandbox/cashier/pay`, {
    openid,
    outcome: 'success',
    requestPaymentArgs: args,
  });
  // Killed the moment WeChat has the server's 2xx: what was logged before answering must be out.
  const delivered = async (): Promise<boolean> => {
    const res = await fetch(`${stack.sandboxUrl}/sandbox/notifications`);
    const { notifications } = (await res.json()) as {
      notifications: { outTradeNo?: string; state: string }[];
    };
    return notifications.some((n) => n.outTradeNo === o.orderNo && n.state === 'delivered');
  };
  const deadline = Date.now() + 10_000;
  while (!(await delivered())) {
    if (Date.now() > deadline) throw new Error('the notification was never delivered');
  }
  stack.server.child.kill('SIGKILL');
  await new Promise((resolve) => stack.server.child.once('exit', resolve));
  const paidLine = stack.server
    .output()
    .split('\n')
    .find((l) => l.includes('"order paid"') && l.includes(o.orderNo));
  expect(paidLine).toBeDefined();
});
