/**
 * Flow 3: the cashier fails (toast with the reason, stay, pay later); the server is down at tap
 * time (a clear error, nothing half-written anywhere); the order expires (countdown ends, the
 * button is disabled, the server refuses to pay it).
 */
import { messagesFor } from '../../miniprogram/lib/i18n';
import { paymentFailureText } from '../../miniprogram/lib/payment-errors';
import { tapPayButton } from '../../dev/emulator/navigator';
import {
  orderNoOf,
  payButtonOf,
  tap,
  textOf,
  waitFor,
  waitForPhase,
} from '../../dev/pages-harness';
import { usePhoneStack } from './phone-stack';
import type { RemoteStack } from '../../dev/remote-stack';
import type { OrderRow, SandboxOrder } from './shop-types';

const ORDER_TTL_SECONDS = 3;

const env = usePhoneStack({
  pollDelaysMs: [100, 200, 300, 500, 800],
  language: 'en_US',
  others: { shortLived: { serverConfig: { orderTtlSeconds: ORDER_TTL_SECONDS } } },
});

async function sandboxOrderNos(s: RemoteStack): Promise<string[]> {
  const all = await s.sandboxGet<{ orders: SandboxOrder[] }>('/sandbox/orders');
  return all.orders.map((o) => o.outTradeNo);
}

describe('failures', () => {
  it('a cashier failure shows the reason and keeps the order payable', async () => {
    const phone = env.pickUp({ user: 'erin', cashierOutcome: 'fail' });
    const confirm = phone.open('order-confirm', { items: 'CUP-CLAY-01:2' });
    await waitForPhase(confirm, 'ready');
    const button = payButtonOf(confirm);
    tapPayButton(button);
    const toast = await waitFor('a toast', () => phone.wx.emulator.toasts[0]);
    const cashierErr = phone.wx.emulator.payments[0]?.errMsg ?? '';
    expect(cashierErr).toMatch(/^requestPayment:fail (?!cancel).+/);
    expect(toast).toEqual({
      title: paymentFailureText(cashierErr, messagesFor('en')),
      icon: 'none',
    });
    expect(toast.title).toMatch(/^Payment failed: \S/);
    await waitFor('the button to be ready again', () => button.data.state === 'ready');
    expect(phone.wx.emulator.navigations).toEqual([]);
    expect(confirm.data).toMatchObject({ phase: 'ready', payDisabled: false, expired: false });

    // Trying again works, on the same order.
    phone.wx.emulator.cashierOutcome = 'success';
    tapPayButton(button);
    const result = await phone.followRedirect();
    await waitForPhase(result.page, 'paid');
    expect(textOf(result.page, '#order-no')).toBe(orderNoOf(confirm));
  }, 30_000);

  it('the server down at tap time: a clear error, nothing half-written', async () => {
    const phone = env.pickUp({ user: 'frank', cashierOutcome: 'success' });
    const confirm = phone.open('order-confirm', { items: 'TEA-LJ-250:1' });
    await waitForPhase(confirm, 'ready');
    const orderNo = orderNoOf(confirm);
    await env.stack.stopServer();

    const button = payButtonOf(confirm);
    tapPayButton(button);
    const toast = await waitFor('a toast', () => phone.wx.emulator.toasts[0]);
    expect(toast.title).toBe(
      'Payment failed: cannot reach the shop. Check your connection and try again.',
    );
    await waitFor('the button to be ready again', () => button.data.state === 'ready');
    expect(phone.runner.records[0]?.outcome.event).toBe('fail');
    expect(phone.wx.emulator.payments).toEqual([]);
    expect(phone.wx.emulator.navigations).toEqual([]);
    expect(confirm.data.phase).toBe('ready');

    // Nothing half-written: the order is untouched, WeChat never heard of it.
    const [row] = await env.stack.sql<OrderRow>('SELECT * FROM orders WHERE order_no = ?', orderNo);
    expect(row).toMatchObject({ status: 'pending', openid: null, prepay_id: null });
    expect(await sandboxOrderNos(env.stack)).not.toContain(orderNo);
  }, 30_000);

  it('an expired order: countdown ends, button disabled, the server refuses', async () => {
    const { shortLived } = env.others;
    const phone = env.pickUp({ user: 'grace', cashierOutcome: 'success' }, shortLived);
    const confirm = phone.open('order-confirm', { items: 'MUG-ENAMEL:2' });
    await waitForPhase(confirm, 'ready');
    const orderNo = orderNoOf(confirm);
    expect(textOf(confirm, '#countdown')).toMatch(/^Pay within 00:0[1-3]$/);

    await waitFor('expiry', () => confirm.data.expired === true, (ORDER_TTL_SECONDS + 2) * 1000);
    expect(textOf(confirm, '#countdown-time')).toBe('This order has expired');
    const button = payButtonOf(confirm);
    expect(button.data).toMatchObject({ disabled: true, state: 'disabled' });
    tapPayButton(button);
    await new Promise((r) => setTimeout(r, 100));
    expect(phone.runner.records).toEqual([]);

    // Asked anyway (a stale page elsewhere), the server refuses and WeChat gets no order.
    const attempt = await phone.runner.beforeRequestPayment(button.data.paymentArgs);
    expect(attempt.err?.message).toMatch(/no longer|not payable|expired|closed/i);
    expect(attempt.args).toBeUndefined();
    expect(await sandboxOrderNos(shortLived)).not.toContain(orderNo);

    // The result page says so too, and "Order again" starts a fresh order for the same cart.
    await shortLived.runJobs();
    const result = phone.open('pay-result', { orderNo, outcome: 'success' });
    await waitForPhase(result, 'expired');
    expect(textOf(result, '#title')).toBe('Order closed');
    const again = phone.open('order-confirm', { orderNo });
    await waitForPhase(again, 'ready');
    expect(again.data.expired).toBe(true);
    tap(again, '#start-over');
    await waitFor(
      'a new order',
      () => again.data.phase === 'ready' && orderNoOf(again) !== orderNo && again,
    );
    expect(again.data.expired).toBe(false);
    expect(again.data.fee).toBe(confirm.data.fee);
  }, 30_000);
});
