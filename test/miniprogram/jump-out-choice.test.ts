/**
 * The order page's second way to pay, the aggregator's cashier mini program, against the real
 * server and sandbox: offered only when the server has it, its arguments fetched before the tap
 * (WeChat jumps only from inside one), WeChat's dialog declined, jumps WeChat refuses, the
 * channel rule's refusals, and both languages.
 */
import simulate from 'miniprogram-simulate';
import { tapPayButton } from '../../dev/emulator/navigator';
import {
  payButtonOf,
  tap,
  textOf,
  waitFor,
  waitForPhase,
  orderNoOf,
} from '../../dev/pages-harness';
import type { Page } from '../../dev/pages-harness';
import type { Phone } from '../../dev/phone';
import { usePhoneStack } from '../e2e/phone-stack';
import { registerCashier } from './aggregator-cashier';

const env = usePhoneStack<'plain'>({
  language: 'en_US',
  // A server without AGGREGATOR_* settings (null survives the trip to the stack's process).
  others: { plain: { aggregator: false, cashierApp: false } },
});

interface ConfirmPage {
  onJumpOut(): void;
}

/** The cashier button's tap: its handler runs as WeChat runs a tap handler, synchronously. */
function tapJumpOut(phone: Phone, page: Page): void {
  phone.wx.emulator.tap(() => (page.instance as unknown as ConfirmPage).onJumpOut());
}

async function chooseCashier(page: Page): Promise<void> {
  tap(page, '#channel-jump-out');
  await simulate.sleep(0);
}

async function channelOf(orderNo: string): Promise<string | null | undefined> {
  const [row] = await env.stack.sql<{ channel: string | null }>(
    'SELECT channel FROM orders WHERE order_no = ?',
    orderNo,
  );
  return row?.channel;
}

const jumpOutCalls = (phone: Phone, orderNo: string): number =>
  phone.wx.emulator.roundTripsByUrl[`POST /api/orders/${orderNo}/jump-out`] ?? 0;

describe('order-confirm: paying in the cashier mini program', () => {
  it('offered when configured; chosen, its arguments come before the tap, which jumps at once', async () => {
    const phone = env.pickUp({ user: 'jump-choice' });
    registerCashier(phone, env.stack, { choice: 'cancel', leave: 'stay' });
    const page = phone.open('order-confirm', { items: 'MUG-ENAMEL:1' });
    await waitForPhase(page, 'ready');
    const orderNo = orderNoOf(page);

    expect(textOf(page, '#channels .card__title')).toBe('Pay with');
    expect(textOf(page, '#channel-plugin')).toBe('WeChat Pay');
    expect(textOf(page, '#channel-jump-out')).toMatch(/^Pay in the cashier mini program/);
    expect(page.data.channel).toBe('plugin');
    expect(payButtonOf(page).data).toMatchObject({ fee: 3300, disabled: false });
    // Showing the page asks nothing and binds nothing: WeChat Pay stays possible.
    expect(jumpOutCalls(phone, orderNo)).toBe(0);
    expect(await channelOf(orderNo)).toBeNull();

    await chooseCashier(page);
    expect(page.data.channel).toBe('jump-out');
    expect(page.querySelector('#pay-button')).toBeUndefined();
    await waitFor('the cashier arguments', () => page.data.jumpReady === true);
    expect(jumpOutCalls(phone, orderNo)).toBe(1);
    expect(await channelOf(orderNo)).toBe('aggregator');
    expect(textOf(page, '#jump-out')).toBe('Go to the cashier');
    expect(page.data.jumpLabel).toBe('Pay ¥33.00 in the cashier mini program');

    tapJumpOut(phone, page);
    // WeChat's dialog came inside the tap: the call was synchronous in the handler.
    expect(phone.wx.emulator.jumpDialogs).toEqual([
      { appId: expect.any(String), answer: 'confirm' },
    ]);
    await waitFor('the jump', () => phone.wx.emulator.jumps.length === 1);
    const [jump] = phone.wx.emulator.jumps;
    expect(jump?.extraData).toMatchObject({ out_trade_no: orderNo, total_fee: '3300' });
    // No second request: the tap used what was fetched before it.
    expect(jumpOutCalls(phone, orderNo)).toBe(1);
    expect(phone.wx.emulator.toasts).toEqual([]);
  }, 30_000);

  it('a tap before the arguments arrived says so and does not jump', async () => {
    const phone = env.pickUp({ user: 'jump-early' });
    registerCashier(phone, env.stack, { choice: 'cancel', leave: 'stay' });
    const page = phone.open('order-confirm', { items: 'CUP-CLAY-01:1' });
    await waitForPhase(page, 'ready');
    await chooseCashier(page);
    // The request is on its way; the shopper taps at once.
    expect(page.data.jumpReady).toBe(false);
    tapJumpOut(phone, page);
    expect(phone.wx.emulator.toasts.map((t) => t.title)).toEqual([
      'The cashier is still being prepared. Tap again in a moment.',
    ]);
    expect(phone.wx.emulator.jumpDialogs).toEqual([]);
    await waitFor('the cashier arguments', () => page.data.jumpReady === true);
    // One request only, however many taps came meanwhile.
    expect(jumpOutCalls(phone, orderNoOf(page))).toBe(1);
    tapJumpOut(phone, page);
    expect(phone.wx.emulator.jumpDialogs).toHaveLength(1);
  }, 30_000);

  it("WeChat's dialog declined: the page stays, ready, and a second tap jumps", async () => {
    const phone = env.pickUp({ user: 'jump-decline' });
    phone.wx.emulator.jumpConfirmAnswers.push('cancel');
    registerCashier(phone, env.stack, { choice: 'cancel', leave: 'stay' });
    const page = phone.open('order-confirm', { items: 'TEA-LJ-250:1' });
    await waitForPhase(page, 'ready');
    await chooseCashier(page);
    await waitFor('the cashier arguments', () => page.data.jumpReady === true);

    tapJumpOut(phone, page);
    expect(phone.wx.emulator.jumpDialogs).toEqual([
      { appId: expect.any(String), answer: 'cancel' },
    ]);
    await new Promise((r) => setTimeout(r, 50));
    expect(phone.wx.emulator.toasts).toEqual([]);
    expect(phone.wx.emulator.jumps).toEqual([]);
    expect(phone.wx.emulator.navigations).toEqual([]);
    expect(page.data).toMatchObject({ phase: 'ready', channel: 'jump-out', jumpReady: true });
    // Nothing is waiting for a return that cannot come.
    const jumps = JSON.parse(phone.wx.emulator.storage.get('shop:jumps') ?? '[]') as Array<{
      pendingSince: number;
    }>;
    expect(jumps.map((j) => j.pendingSince)).toEqual([0]);

    tapJumpOut(phone, page);
    await waitFor('the jump', () => phone.wx.emulator.jumps.length === 1);
  }, 30_000);

  it('a jump WeChat refuses: a clear message, the page stays usable', async () => {
    // No cashier mini program on this phone: WeChat cannot open it.
    const phone = env.pickUp({ user: 'jump-refused' });
    const page = phone.open('order-confirm', { items: 'MUG-ENAMEL:1' });
    await waitForPhase(page, 'ready');
    await chooseCashier(page);
    await waitFor('the cashier arguments', () => page.data.jumpReady === true);
    tapJumpOut(phone, page);
    await waitFor('the toast', () => phone.wx.emulator.toasts.length === 1);
    expect(phone.wx.emulator.toasts[0]?.title).toMatch(/^Could not open the cashier: /);
    expect(page.data).toMatchObject({ phase: 'ready', payDisabled: false, channel: 'jump-out' });
    // WeChat Pay is still on the page as a choice.
    tap(page, '#channel-plugin');
    await simulate.sleep(0);
    expect(payButtonOf(page).data.disabled).toBe(false);
  }, 30_000);

  it('the channel rule: after a jump-out WeChat Pay is refused clearly, and the other way round', async () => {
    const phone = env.pickUp({
      user: 'jump-rule',
      cashierOutcome: 'cancel',
      modalAnswers: ['cancel'],
    });
    const page = phone.open('order-confirm', { items: 'CUP-CLAY-01:2' });
    await waitForPhase(page, 'ready');
    const orderNo = orderNoOf(page);
    await chooseCashier(page);
    await waitFor('the cashier arguments', () => page.data.jumpReady === true);
    tap(page, '#channel-plugin');
    await simulate.sleep(0);
    tapPayButton(payButtonOf(page));
    await waitFor('the refusal', () => phone.wx.emulator.toasts.length === 1);
    expect(phone.wx.emulator.toasts[0]?.title).toBe(
      'This order is set to be paid in the cashier mini program. Please pay there.',
    );
    // Nothing reached WeChat Pay, and the page offers the way that is left.
    expect(phone.wx.emulator.payments).toEqual([]);
    await waitFor('the cashier chosen again', () => page.data.channel === 'jump-out');
    expect(await channelOf(orderNo)).toBe('aggregator');

    // An order WeChat Pay took first cannot go to the cashier.
    const other = phone.open('order-confirm', { items: 'MUG-ENAMEL:3' });
    await waitForPhase(other, 'ready');
    tapPayButton(payButtonOf(other));
    await waitFor('the cancelled payment', () => phone.wx.emulator.payments.length === 1);
    await waitFor('the dialog', () => phone.wx.emulator.modals.length === 1);
    expect(await channelOf(orderNoOf(other))).toBe('wechat');
    await chooseCashier(other);
    await waitFor('the refusal', () => phone.wx.emulator.toasts.length === 2);
    expect(phone.wx.emulator.toasts[1]?.title).toBe(
      'This order is already being paid another way. Please finish paying there.',
    );
    await waitFor('WeChat Pay again', () => other.data.channel === 'plugin');
    expect(other.data.jumpReady).toBe(false);
  }, 30_000);

  it('in Chinese', async () => {
    const phone = env.pickUp({ user: 'jump-zh', language: 'zh_CN' });
    const page = phone.open('order-confirm', { items: 'TEA-LJ-250:1' });
    await waitForPhase(page, 'ready');
    expect(textOf(page, '#channels .card__title')).toBe('支付方式');
    expect(textOf(page, '#channel-plugin')).toBe('微信支付');
    expect(textOf(page, '#channel-jump-out')).toBe('在收银台小程序支付将打开收银台小程序完成付款');
    await chooseCashier(page);
    tapJumpOut(phone, page);
    expect(phone.wx.emulator.toasts.map((t) => t.title)).toEqual(['收银台正在准备，请稍后再点。']);
    await waitFor('the cashier arguments', () => page.data.jumpReady === true);
    expect(textOf(page, '#jump-out')).toBe('去收银台支付');
    expect(page.data.jumpLabel).toMatch(/^在收银台小程序支付¥\d/);
  }, 30_000);

  it('not offered when the server has no aggregator (nor cashier) configured', async () => {
    const phone = env.pickUp({ user: 'jump-off' }, env.others.plain);
    const page = phone.open('order-confirm', { items: 'MUG-ENAMEL:1' });
    await waitForPhase(page, 'ready');
    expect(page.data.jumpOutOffered).toBe(false);
    expect(page.querySelector('#channels')).toBeUndefined();
    expect(page.querySelector('#jump-out')).toBeUndefined();
    expect(payButtonOf(page).data.disabled).toBe(false);
  }, 30_000);
});
