/**
 * Flow 7: paying in the merchant's own cashier mini program opened half-screen, through the
 * real shop pages, our real cashier mini program (cashier/, its own AppID and wx on the same
 * emulated phone), the server and the sandbox. Whatever the cashier hands back, the shop only
 * asks its server, and the server only believes WeChat Pay (its query or notification): paid;
 * declined in WeChat's dialog when it falls back to full screen; opened full screen and paid;
 * cancelled in the cashier, then paid on a second visit; never back; a forged "paid" on the way
 * back; Android's stale repeat of the return on a later show.
 */
import simulate from 'miniprogram-simulate';
import { installCashier, loadCashierPage } from '../../dev/cashier-app';
import type { CashierOnPhone } from '../../dev/cashier-app';
import { orderNoOf, tap, textOf, waitFor, waitForPhase } from '../../dev/pages-harness';
import type { Page } from '../../dev/pages-harness';
import type { Phone } from '../../dev/phone';
import { wirePageShows } from '../miniprogram/aggregator-cashier';
import { catalogOf } from '../miniprogram/stack-api';
import { usePhoneStack } from './phone-stack';
import type { OrderRow } from './shop-types';

const env = usePhoneStack({ pollDelaysMs: [100, 200, 300, 500, 800] });
let cashierPage: string;
let cashierAppId: string;
let cashiers: CashierOnPhone[] = [];

beforeAll(async () => {
  cashierPage = loadCashierPage();
  const catalog = await catalogOf(env.stack);
  cashierAppId = catalog.cashierApp?.appId ?? '';
  expect(catalog.channels).toContain('half-screen');
}, 30_000);

afterEach(() => {
  for (const c of cashiers) c.put();
  cashiers = [];
});

interface HalfScreenRow extends OrderRow {
  channel: string | null;
  pay_appid: string | null;
}

interface Opened {
  phone: Phone;
  cashier: CashierOnPhone;
  confirm: Page;
  orderNo: string;
  fee: number;
}

interface OpenOptions {
  platform?: 'ios' | 'android';
  pageFirst?: boolean;
  /** The shop has the cashier approved for its half screen (default yes). */
  approved?: boolean;
  declineDialog?: boolean;
}

/** Opens the order page, picks the shop's own cashier and taps its button. */
async function openCashier(user: string, options: OpenOptions = {}): Promise<Opened> {
  const phone = env.pickUp({ user, ...(options.platform ? { platform: options.platform } : {}) });
  const settings = phone.wx.emulator;
  if (options.pageFirst) settings.miniProgram.showOrder = 'page-first';
  if (options.approved !== false) settings.embeddedAppIds.push(cashierAppId);
  if (options.declineDialog) settings.jumpConfirmAnswers.push('cancel');
  wirePageShows(phone);
  const cashier = installCashier(
    phone.wx,
    { appId: cashierAppId, serverUrl: env.stack.serverUrl },
    cashierPage,
  );
  cashiers.push(cashier);
  const confirm = phone.open('order-confirm', { items: 'TEA-LJ-250:1,CUP-CLAY-01:1' });
  await waitForPhase(confirm, 'ready');
  tap(confirm, '#channel-half-screen');
  await simulate.sleep(0);
  expect(textOf(confirm, '#half-screen')).toBe('去收银台支付');
  tapHalfScreen(phone, confirm);
  return { phone, cashier, confirm, orderNo: orderNoOf(confirm), fee: Number(confirm.data.fee) };
}

function tapHalfScreen(phone: Phone, page: Page): void {
  phone.wx.emulator.tap(() =>
    (page.instance as unknown as { onHalfScreen(): void }).onHalfScreen(),
  );
}

async function cashierReady(cashier: CashierOnPhone, phase = 'ready'): Promise<Page> {
  const page = await waitFor('the cashier to open', () => cashier.page);
  await waitForPhase(page, phase);
  return page;
}

async function rowOf(orderNo: string): Promise<HalfScreenRow | undefined> {
  const [row] = await env.stack.sql<HalfScreenRow>(
    'SELECT * FROM orders WHERE order_no = ?',
    orderNo,
  );
  return row;
}

const redirects = (phone: Phone): number =>
  phone.wx.emulator.navigations.filter((n) => n.kind === 'redirectTo').length;

describe('half-screen: paying in our own cashier mini program', () => {
  it.each([
    ['App.onShow first', false],
    ["the page's onShow first", true],
  ])(
    'paid: back from the cashier, the result page shows what the server says (%s)',
    async (_, pageFirst) => {
      const { phone, cashier, orderNo, fee } = await openCashier(
        pageFirst ? 'half-paid-page' : 'half-paid-app',
        { pageFirst },
      );
      const page = await cashierReady(cashier);
      expect(phone.wx.emulator.jumps).toEqual([
        expect.objectContaining({
          kind: 'embedded',
          appId: cashierAppId,
          path: `pages/pay/index?orderNo=${orderNo}`,
          envVersion: 'release',
          extraData: { orderNo, orderToken: expect.any(String) },
        }),
      ]);
      // The cashier shows the server's amount for the order it was opened for.
      expect(textOf(page, '#amount')).toBe(`¥${(fee / 100).toFixed(2)}`);
      cashier.tapPay();
      await waitForPhase(page, 'paid', 15_000);
      cashier.tapBack();

      const result = await phone.followRedirect();
      expect(result.name).toBe('pay-result');
      await waitForPhase(result.page, 'paid');
      expect(textOf(result.page, '#title')).toBe('支付成功');
      expect(textOf(result.page, '#order-no')).toBe(orderNo);
      expect(redirects(phone)).toBe(1);
      // Paid under the cashier's AppID, by WeChat Pay, with the catalogue's amount.
      expect(await rowOf(orderNo)).toMatchObject({
        status: 'paid',
        total: fee,
        channel: 'wechat',
        pay_appid: cashierAppId,
      });
      // The shop itself never called WeChat Pay: the cashier did.
      expect(phone.wx.emulator.payments).toEqual([]);
      expect(cashier.wx?.emulator.payments.map((p) => p.errMsg)).toEqual(['requestPayment:ok']);
      expect(phone.wx.emulator.phone.errors).toEqual([]);
    },
    30_000,
  );

  it("not approved for half screen: WeChat's dialog, declined — no jump, the page stays ready", async () => {
    const { phone, cashier, confirm, orderNo } = await openCashier('half-dialog', {
      approved: false,
      declineDialog: true,
    });
    await waitFor('the dialog', () => phone.wx.emulator.jumpDialogs.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(phone.wx.emulator.jumpDialogs[0]).toEqual({ appId: cashierAppId, answer: 'cancel' });
    expect(phone.wx.emulator.jumps).toEqual([]);
    // A cancel is quiet: no toast, no redirect, still payable either way.
    expect(phone.wx.emulator.toasts).toEqual([]);
    expect(redirects(phone)).toBe(0);
    expect(confirm.data).toMatchObject({
      phase: 'ready',
      payDisabled: false,
      channel: 'half-screen',
    });
    expect(cashier.launches).toBe(0);
    expect(await rowOf(orderNo)).toMatchObject({ status: 'pending', openid: null, channel: null });
  }, 30_000);

  it('not approved: opened full screen after the dialog, it pays and returns the same', async () => {
    const { phone, cashier, orderNo } = await openCashier('half-fallback', { approved: false });
    const page = await cashierReady(cashier);
    expect(phone.wx.emulator.jumps.map((j) => [j.kind, j.reason])).toEqual([
      ['fallback', 'not-approved'],
    ]);
    expect(page.data.embedded).toBe(false);
    cashier.tapPay();
    await waitForPhase(page, 'paid', 15_000);
    cashier.tapBack();
    const result = await phone.followRedirect();
    await waitForPhase(result.page, 'paid');
    expect((await rowOf(orderNo))?.status).toBe('paid');
  }, 30_000);

  it('cancelled in the cashier: unpaid, then paid on a second visit to the same order', async () => {
    const { phone, cashier, orderNo } = await openCashier('half-cancel');
    const page = await cashierReady(cashier);
    (cashier.wx?.emulator ?? phone.wx.emulator).cashierOutcome = 'cancel';
    cashier.tapPay();
    await waitFor('the cancel', () => textOf(page, '#status') === '已取消支付，可再次支付');
    cashier.tapBack();
    const unpaid = await phone.followRedirect();
    await waitForPhase(unpaid.page, 'unpaid', 15_000);
    expect(textOf(unpaid.page, '#title')).toBe('订单未支付');
    expect(await rowOf(orderNo)).toMatchObject({ status: 'pending', pay_appid: cashierAppId });

    // Pay again: the order page starts on the cashier the order is bound to.
    tap(unpaid.page, '#pay-again');
    const again = await phone.followRedirect();
    expect(again.name).toBe('order-confirm');
    await waitForPhase(again.page, 'ready');
    expect(again.page.data.channel).toBe('half-screen');
    (cashier.wx?.emulator ?? phone.wx.emulator).cashierOutcome = 'success';
    tapHalfScreen(phone, again.page);
    // Opened a second time: the same cashier, shown again for this order.
    await waitFor('the cashier again', () => phone.wx.emulator.jumps.length === 2);
    await waitForPhase(page, 'ready');
    expect(cashier.launches).toBe(1);
    cashier.tapPay();
    await waitForPhase(page, 'paid', 15_000);
    cashier.tapBack();
    const paid = await phone.followRedirect();
    await waitForPhase(paid.page, 'paid');
    expect((await rowOf(orderNo))?.status).toBe('paid');
  }, 30_000);

  it('swiped away after paying: back without extraData, the server says paid', async () => {
    const { phone, cashier, orderNo } = await openCashier('half-swipe');
    const page = await cashierReady(cashier);
    cashier.tapPay();
    await waitForPhase(page, 'paid', 15_000);
    phone.wx.emulator.swipeAway(cashierAppId);
    const result = await phone.followRedirect();
    await waitForPhase(result.page, 'paid');
    expect(phone.wx.emulator.phone.returns).toEqual([
      expect.objectContaining({ from: cashierAppId, how: 'swipe-away' }),
    ]);
    expect(phone.wx.emulator.phone.returns[0]?.extraData).toBeUndefined();
    expect((await rowOf(orderNo))?.status).toBe('paid');
  }, 30_000);

  it('never back, and the notification lost: the server’s query settles it, reopening shows paid', async () => {
    await env.stack.sandboxSend('PUT', '/sandbox/faults', [{ endpoint: 'notify', kind: 'drop' }]);
    try {
      const { phone, cashier, orderNo } = await openCashier('half-gone');
      const page = await cashierReady(cashier);
      cashier.tapPay();
      // The cashier asks the server, which asks WeChat Pay (query under the cashier's AppID).
      await waitForPhase(page, 'paid', 15_000);
      const row = await rowOf(orderNo);
      expect(row).toMatchObject({ status: 'paid', pay_appid: cashierAppId });
      const heard = await env.stack.sql<{ id: string }>(
        'SELECT id FROM notifications WHERE order_no = ?',
        orderNo,
      );
      expect(heard).toEqual([]);
      // The user stays in the cashier: the shop never showed again, so it never left its page.
      expect(phone.wx.emulator.phone.returns).toEqual([]);
      expect(phone.wx.emulator.phone.stack.at(-1)).toBe(cashierAppId);
      expect(redirects(phone)).toBe(0);

      // Reopened later (from the order list), the order page goes straight to its result.
      phone.open('order-confirm', { orderNo });
      const result = await phone.followRedirect();
      expect(result.name).toBe('pay-result');
      await waitForPhase(result.page, 'paid');
    } finally {
      await env.stack.sandboxSend('DELETE', '/sandbox/faults');
    }
  }, 30_000);

  it('a forged "paid" on the way back: the result page shows unpaid, as the server says', async () => {
    const { phone, cashier, orderNo } = await openCashier('half-forged');
    await cashierReady(cashier);
    const forged = { orderNo, outcome: 'paid', transactionId: '4200000000000000000000000000' };
    // Something in the cashier's place sends "paid" back without paying.
    cashier.wx?.emulator.tap(() => cashier.wx?.navigateBackMiniProgram({ extraData: forged }));
    const result = await phone.followRedirect();
    await waitForPhase(result.page, 'unpaid', 15_000);
    expect(textOf(result.page, '#title')).toBe('订单未支付');
    expect(phone.wx.emulator.phone.returns[0]?.extraData).toEqual(forged);
    expect(await rowOf(orderNo)).toMatchObject({ status: 'pending', transaction_id: null });
  }, 30_000);

  it("Android's stale return on a later show: no second redirect, no wrong state", async () => {
    const { phone, cashier, orderNo } = await openCashier('half-android', { platform: 'android' });
    await cashierReady(cashier);
    cashier.tapBack();
    const unpaid = await phone.followRedirect();
    await waitForPhase(unpaid.page, 'unpaid', 15_000);
    tap(unpaid.page, '#pay-again');
    const again = await phone.followRedirect();
    await waitForPhase(again.page, 'ready');
    const before = redirects(phone);

    // Home button, then back to WeChat: Android reports the earlier return once more.
    phone.wx.emulator.background();
    phone.wx.emulator.foreground();
    expect(phone.wx.getEnterOptionsSync()).toMatchObject({
      scene: 1038,
      referrerInfo: { appId: cashierAppId },
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(redirects(phone)).toBe(before);
    expect(again.page.data).toMatchObject({ phase: 'ready', channel: 'half-screen' });
    expect((await rowOf(orderNo))?.status).toBe('pending');
  }, 30_000);
});
