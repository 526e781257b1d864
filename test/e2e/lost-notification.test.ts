/**
 * Flow 4: WeChat's notification never arrives. The result page still reaches "paid", because
 * every read of a pending order makes the server query WeChat Pay; when those queries fail too,
 * the page backs off, says "still confirming", and a manual refresh finishes the job.
 */
import { pollPolicy } from '../../miniprogram/lib/order-status';
import { tapPayButton } from '../../dev/emulator/navigator';
import { orderNoOf, payButtonOf, tap, textOf, waitForPhase } from '../../dev/pages-harness';
import type { Phone } from '../../dev/phone';
import { usePhoneStack } from './phone-stack';
import type { OrderRow, SandboxOrder } from './shop-types';

const env = usePhoneStack({
  pollDelaysMs: [100, 200, 300, 400],
  language: 'en_US',
  // The query job would settle the order on its own after a while; keep it out of the way so
  // only the result page's reads can find the payment.
  stack: { serverConfig: { queryDelaySeconds: 3600, wechatRetries: 0 } },
});

// Registered after usePhoneStack's afterEach, so the phone is put down before faults are cleared.
afterEach(async () => {
  await env.stack.sandboxSend('DELETE', '/sandbox/faults');
});

async function payWithoutNotification(
  user: string,
  alsoFailQueries = false,
): Promise<{ orderNo: string; fee: number; phone: Phone }> {
  const faults: object[] = [{ endpoint: 'notify', kind: 'drop' }];
  if (alsoFailQueries) faults.push({ endpoint: 'query', kind: 'system_error' });
  await env.stack.sandboxSend('PUT', '/sandbox/faults', faults);
  const phone = env.pickUp({ user, cashierOutcome: 'success' });
  const confirm = phone.open('order-confirm', { items: 'TEA-LJ-250:1' });
  await waitForPhase(confirm, 'ready');
  const orderNo = orderNoOf(confirm);
  const fee = Number(confirm.data.fee);
  tapPayButton(payButtonOf(confirm));
  return { orderNo, fee, phone };
}

async function expectSettledByQuery(orderNo: string, fee: number): Promise<void> {
  const wechat = await env.stack.sandboxGet<SandboxOrder>(`/sandbox/orders/${orderNo}`);
  expect(wechat.state).toBe('SUCCESS');
  expect(wechat.notifications.every((n) => n.state === 'dropped' && n.attempts.length === 0)).toBe(
    true,
  );
  const [row] = await env.stack.sql<OrderRow>('SELECT * FROM orders WHERE order_no = ?', orderNo);
  expect(row).toMatchObject({ status: 'paid', total: fee });
  expect(row?.total).toBe(wechat.total);
  expect(row?.transaction_id).toBe(wechat.transactionId);
  const heard = await env.stack.sql('SELECT * FROM notifications WHERE order_no = ?', orderNo);
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

    await env.stack.sandboxSend('PUT', '/sandbox/faults', [{ endpoint: 'notify', kind: 'drop' }]);
    tap(result.page, '#refresh');
    await waitForPhase(result.page, 'paid');
    await expectSettledByQuery(orderNo, fee);
  }, 30_000);
});
