/**
 * Flow 4: WeChat's notification never arrives. The result page still reaches "paid", because
 * every read of a pending order makes the server query WeChat Pay; when those queries fail too,
 * the page backs off, says "still confirming", and a manual refresh finishes the job.
 */
import { pollPolicy } from '../../miniprogram/lib/order-status';
import { tapPayButton } from '../emulator/navigator';
import { loadPages, tap, textOf, waitForPhase } from '../miniprogram/harness';
import type { Page } from '../miniprogram/harness';
import { pickUpPhone } from './phone';
import type { Phone } from './phone';
import { startRemoteStack } from './remote-stack';
import type { RemoteStack } from './remote-stack';
import type { OrderRow, SandboxOrder } from './shop-types';

let stack: RemoteStack;
let ids: ReturnType<typeof loadPages>;
let phone: Phone | undefined;

beforeAll(async () => {
  ids = loadPages();
  pollPolicy.delaysMs = [100, 200, 300, 400];
  // The query job would settle the order on its own after a while; keep it out of the way so
  // only the result page's reads can find the payment.
  stack = await startRemoteStack({ serverConfig: { queryDelaySeconds: 3600, wechatRetries: 0 } });
}, 30_000);

afterEach(async () => {
  phone?.put();
  phone = undefined;
  await stack.sandboxSend('DELETE', '/sandbox/faults');
});

afterAll(async () => {
  await stack.close();
});

function payButtonOf(page: Page) {
  const button = page.querySelector('#pay-button');
  if (!button) throw new Error('the pay-button is not on the page');
  return button;
}

const orderNoOf = (page: Page): string => (page.data.paymentArgs as { orderNo: string }).orderNo;

async function payWithoutNotification(
  user: string,
  alsoFailQueries = false,
): Promise<{ orderNo: string; fee: number; phone: Phone }> {
  const faults: object[] = [{ endpoint: 'notify', kind: 'drop' }];
  if (alsoFailQueries) faults.push({ endpoint: 'query', kind: 'system_error' });
  await stack.sandboxSend('PUT', '/sandbox/faults', faults);
  phone = pickUpPhone({ ...stack, user, cashierOutcome: 'success' }, ids);
  const confirm = phone.open('order-confirm', { items: 'TEA-LJ-250:1' });
  await waitForPhase(confirm, 'ready');
  const orderNo = orderNoOf(confirm);
  const fee = Number(confirm.data.fee);
  tapPayButton(payButtonOf(confirm));
  return { orderNo, fee, phone };
}

async function expectSettledByQuery(orderNo: string, fee: number): Promise<void> {
  const wechat = await stack.sandboxGet<SandboxOrder>(`/sandbox/orders/${orderNo}`);
  expect(wechat.state).toBe('SUCCESS');
  expect(wechat.notifications.every((n) => n.state === 'dropped' && n.attempts.length === 0)).toBe(
    true,
  );
  const [row] = await stack.sql<OrderRow>('SELECT * FROM orders WHERE order_no = ?', orderNo);
  expect(row).toMatchObject({ status: 'paid', total: fee });
  expect(row?.total).toBe(wechat.total);
  expect(row?.transaction_id).toBe(wechat.transactionId);
  const heard = await stack.sql('SELECT * FROM notifications WHERE order_no = ?', orderNo);
  expect(heard).toEqual([]);
}

describe('lost notification', () => {
  it('the result page reaches paid through the server querying WeChat', async () => {
    const { orderNo, fee, phone } = await payWithoutNotification('heidi');
    const result = await phone.followRedirect();
    await waitForPhase(result.page, 'paid');
    expect(textOf(result.page, '#order-no')).toBe(orderNo);
    await expectSettledByQuery(orderNo, fee);
  }, 30_000);

  it('failing queries: backoff, "still confirming", then a manual refresh shows paid', async () => {
    const { orderNo, fee, phone } = await payWithoutNotification('ivan', true);
    const result = await phone.followRedirect();
    await waitForPhase(result.page, 'still-confirming', 15_000);
    expect(textOf(result.page, '#title')).toBe('Still confirming');
    const reads = phone.wx.emulator.roundTripsByUrl[`GET /api/orders/${orderNo}`];
    // The first read plus one per backoff step, and not one more.
    expect(reads).toBe(1 + pollPolicy.delaysMs.length);

    await stack.sandboxSend('PUT', '/sandbox/faults', [{ endpoint: 'notify', kind: 'drop' }]);
    tap(result.page, '#refresh');
    await waitForPhase(result.page, 'paid');
    await expectSettledByQuery(orderNo, fee);
  }, 30_000);
});
