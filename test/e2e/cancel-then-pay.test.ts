/**
 * Flow 2: the user cancels in the cashier, gives up, sees "unpaid", pays again from the result
 * page: one WeChat order, one prepay, paid once. And "Continue" keeps the user on the page.
 */
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
import type { OrderRow, SandboxOrder } from './shop-types';

const env = usePhoneStack({ pollDelaysMs: [100, 200, 300, 500, 800], language: 'en_US' });

describe('cancel, then pay again', () => {
  it('gives up, shows unpaid, pays the same order again: one WeChat order, paid once', async () => {
    const phone = env.pickUp({
      user: 'carol',
      cashierOutcome: 'cancel',
      modalAnswers: ['confirm'],
    });
    // No items parameter: the demo cart from the catalogue.
    const confirm = phone.open('order-confirm');
    await waitForPhase(confirm, 'ready');
    const orderNo = orderNoOf(confirm);
    const fee = confirm.data.fee;

    tapPayButton(payButtonOf(confirm));
    const unpaid = await phone.followRedirect();
    expect(phone.wx.emulator.modals).toEqual([
      expect.objectContaining({ title: 'Give up payment?', answer: 'confirm' }),
    ]);
    expect(unpaid.name).toBe('pay-result');
    await waitForPhase(unpaid.page, 'unpaid');
    expect(textOf(unpaid.page, '#title')).toBe('Not paid yet');
    expect(textOf(unpaid.page, '#order-no')).toBe(orderNo);
    expect(textOf(unpaid.page, '#expires-at')).not.toBe('');

    tap(unpaid.page, '#pay-again');
    const again = await phone.followRedirect();
    expect(again.name).toBe('order-confirm');
    await waitForPhase(again.page, 'ready');
    expect(orderNoOf(again.page)).toBe(orderNo);
    expect(again.page.data.fee).toBe(fee);
    expect(again.page.data.remarkEditable).toBe(false);

    phone.wx.emulator.cashierOutcome = 'success';
    tapPayButton(payButtonOf(again.page));
    const paid = await phone.followRedirect();
    await waitForPhase(paid.page, 'paid');

    expect(phone.wx.emulator.payments.map((p) => p.errMsg)).toEqual([
      'requestPayment:fail cancel',
      'requestPayment:ok',
    ]);
    // Both attempts paid the same WeChat order with the same prepay.
    const prepayIds = phone.wx.emulator.payments.map((p) => p.args.package);
    expect(new Set(prepayIds).size).toBe(1);
    const wechat = await env.stack.sandboxGet<SandboxOrder>(`/sandbox/orders/${orderNo}`);
    expect(wechat.state).toBe('SUCCESS');
    expect(wechat.prepays).toHaveLength(1);
    expect(wechat.total).toBe(fee);
    const all = await env.stack.sandboxGet<{ orders: SandboxOrder[] }>('/sandbox/orders');
    expect(all.orders.filter((o) => o.outTradeNo === orderNo)).toHaveLength(1);
    await waitFor('the one success notification', async () => {
      const o = await env.stack.sandboxGet<SandboxOrder>(`/sandbox/orders/${orderNo}`);
      return o.notifications.some((n) => n.state === 'delivered');
    });
    const rows = await env.stack.sql<OrderRow>('SELECT * FROM orders WHERE order_no = ?', orderNo);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'paid', total: fee });
    expect(rows[0]?.transaction_id).toBe(wechat.transactionId);
  }, 30_000);

  it('"Continue" keeps the user on the confirmation page, ready to pay', async () => {
    const phone = env.pickUp({ user: 'dave', cashierOutcome: 'cancel', modalAnswers: ['cancel'] });
    const confirm = phone.open('order-confirm', { items: 'MUG-ENAMEL:1' });
    await waitForPhase(confirm, 'ready');
    const button = payButtonOf(confirm);
    tapPayButton(button);
    await waitFor('the dialog', () => phone.wx.emulator.modals.length === 1);
    await waitFor('the button to be ready again', () => button.data.state === 'ready');
    expect(phone.wx.emulator.navigations.filter((n) => n.kind === 'redirectTo')).toEqual([]);
    expect(confirm.data.phase).toBe('ready');
    expect(confirm.data.payDisabled).toBe(false);
    const [row] = await env.stack.sql<OrderRow>(
      'SELECT * FROM orders WHERE order_no = ?',
      orderNoOf(confirm),
    );
    expect(row?.status).toBe('pending');
  }, 30_000);
});
