/**
 * Flow 1: the confirmation page renders → tap the pay-button → functional page (built) → server
 * → sandbox → cashier success → notification → the result page shows paid. The database and the
 * sandbox agree on the amount.
 */
import { tapPayButton } from '../../dev/emulator/navigator';
import { orderNoOf, payButtonOf, textOf, waitFor, waitForPhase } from '../../dev/pages-harness';
import { usePhoneStack } from './phone-stack';
import type { OrderRow, SandboxOrder } from './shop-types';

const env = usePhoneStack({ pollDelaysMs: [100, 200, 300, 500, 800] });

async function buyAndCheck(route: 'plugin' | 'navigator', user: string): Promise<void> {
  const phone = env.pickUp({ user, cashierOutcome: 'success', route });
  const confirm = phone.open('order-confirm', { items: 'TEA-LJ-250:2,CUP-CLAY-01:1' });
  await waitForPhase(confirm, 'ready');

  // What the shopper sees, all from the server's fen.
  expect(textOf(confirm, '#goods')).toBe('¥295.00');
  expect(textOf(confirm, '#shipping')).toBe('免运费');
  expect(textOf(confirm, '#discount')).toBe('-¥10.00');
  expect(textOf(confirm, '#due')).toBe('¥285.00');
  expect(textOf(confirm, '#bar-total')).toBe('¥285.00');
  expect(textOf(confirm, '#countdown')).toMatch(/^剩余支付时间 1[45]:\d\d$/);
  const orderNo = orderNoOf(confirm);
  const button = payButtonOf(confirm);
  expect(button.data).toMatchObject({ fee: 28500, paymentArgs: { orderNo }, disabled: false });
  // The plugin reads the language from its own wx, and says the same language as the shop.
  expect(button.data).toMatchObject({ faceLabel: '支付', ariaLabel: '支付 ¥285.00' });
  expect(phone.wx.emulator.titles).toEqual(['确认订单']);

  tapPayButton(button);
  const { name, page: result } = await phone.followRedirect();
  expect(name).toBe('pay-result');
  await waitForPhase(result, 'paid');
  expect(textOf(result, '#title')).toBe('支付成功');
  expect(phone.wx.emulator.titles).toEqual(['确认订单', '支付结果']);
  expect(textOf(result, '#amount')).toBe('¥285.00');
  expect(textOf(result, '#order-no')).toBe(orderNo);
  expect(textOf(result, '#paid-at')).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d:\d\d$/);

  // One payment went through the functional page and the cashier.
  expect(phone.runner.records).toHaveLength(1);
  expect(phone.runner.records[0]?.outcome.event).toBe('success');
  expect(phone.runner.records[0]?.request.route).toBe(
    route === 'plugin' ? 'requestPluginPayment' : 'navigator',
  );
  expect(phone.wx.emulator.payments.map((p) => p.errMsg)).toEqual(['requestPayment:ok']);

  // The server's database and WeChat's (the sandbox's) records agree.
  const [row] = await env.stack.sql<OrderRow>('SELECT * FROM orders WHERE order_no = ?', orderNo);
  const wechat = await env.stack.sandboxGet<SandboxOrder>(`/sandbox/orders/${orderNo}`);
  expect(row).toMatchObject({ status: 'paid', total: 28500 });
  expect(wechat).toMatchObject({ state: 'SUCCESS', total: 28500 });
  expect(row?.transaction_id).toBe(wechat.transactionId);
  expect(row?.openid).toBe(wechat.payerOpenid);
  expect(row?.openid).toBe(phone.wx.emulator.openid);
  // The result page may have learnt "paid" from its own query; the notification still lands.
  await waitFor('the notification to be acknowledged', async () => {
    const o = await env.stack.sandboxGet<SandboxOrder>(`/sandbox/orders/${orderNo}`);
    return o.notifications.some(
      (n) => n.eventType === 'TRANSACTION.SUCCESS' && n.state === 'delivered',
    );
  });
}

describe('happy path', () => {
  it('pays through wx.requestPluginPayment (base library 2.22.1+)', async () => {
    await buyAndCheck('plugin', 'alice');
  }, 30_000);

  it('pays through the functional-page navigator (older base libraries)', async () => {
    await buyAndCheck('navigator', 'bob');
  }, 30_000);
});
