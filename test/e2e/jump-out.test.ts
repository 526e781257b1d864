/**
 * Flow 6: paying in the aggregator's cashier mini program (jump-out), through the real pages,
 * server and sandbox, the cashier played on the same emulated phone. Whatever the cashier hands
 * back, the shop only asks its server, and the server only believes the aggregator's signed
 * notification: paid; declined in WeChat's dialog; cancelled in the cashier (then paid on a
 * second visit); never back (a swipe, or no return at all); a forged "paid" on the way back;
 * Android's stale repeat of the return on a later show.
 */
import simulate from 'miniprogram-simulate';
import { orderNoOf, tap, textOf, waitFor, waitForPhase } from '../../dev/pages-harness';
import type { Page } from '../../dev/pages-harness';
import type { Phone } from '../../dev/phone';
import { registerCashier, wirePageShows } from '../miniprogram/aggregator-cashier';
import type { CashierOnPhone, CashierPlay } from '../miniprogram/aggregator-cashier';
import { usePhoneStack } from './phone-stack';
import type { OrderRow } from './shop-types';

const env = usePhoneStack({ pollDelaysMs: [100, 200, 300, 500, 800] });

interface AggregatorRecord {
  outTradeNo: string;
  paid: boolean;
  payment: { transactionId: string; totalFee: number; payjsOrderId: string } | null;
  calls: Array<{ result: string; requested: string }>;
  notifications: Array<{ state: string; attempts: unknown[] }>;
}

interface JumpRow extends OrderRow {
  channel: string | null;
}

interface Bought {
  phone: Phone;
  cashier: CashierOnPhone;
  confirm: Page;
  orderNo: string;
  fee: number;
}

/** Opens the order page, picks the cashier, waits for its arguments and taps the button. */
async function goToCashier(
  user: string,
  play: CashierPlay,
  options: { platform?: 'ios' | 'android'; pageFirst?: boolean; declineDialog?: boolean } = {},
): Promise<Bought> {
  const phone = env.pickUp({ user, ...(options.platform ? { platform: options.platform } : {}) });
  if (options.pageFirst) phone.wx.emulator.miniProgram.showOrder = 'page-first';
  if (options.declineDialog) phone.wx.emulator.jumpConfirmAnswers.push('cancel');
  wirePageShows(phone);
  const cashier = registerCashier(phone, env.stack, play);
  const confirm = phone.open('order-confirm', { items: 'TEA-LJ-250:1,CUP-CLAY-01:1' });
  await waitForPhase(confirm, 'ready');
  tap(confirm, '#channel-jump-out');
  await simulate.sleep(0);
  await waitFor('the cashier arguments', () => confirm.data.jumpReady === true);
  tapCashierButton(phone, confirm);
  return { phone, cashier, confirm, orderNo: orderNoOf(confirm), fee: Number(confirm.data.fee) };
}

function tapCashierButton(phone: Phone, page: Page): void {
  phone.wx.emulator.tap(() => (page.instance as unknown as { onJumpOut(): void }).onJumpOut());
}

async function rowOf(orderNo: string): Promise<JumpRow | undefined> {
  const [row] = await env.stack.sql<JumpRow>('SELECT * FROM orders WHERE order_no = ?', orderNo);
  return row;
}

async function aggregatorOf(orderNo: string): Promise<AggregatorRecord> {
  return env.stack.sandboxGet<AggregatorRecord>(`/sandbox/aggregator/orders/${orderNo}`);
}

/** The server paid the order on the aggregator's word, once, and both agree on it. */
async function expectPaidByNotification(orderNo: string, fee: number): Promise<void> {
  // The aggregator has no record of the order until its cashier is called.
  await waitFor('the notification to be acknowledged', async () => {
    const record = await aggregatorOf(orderNo).catch(() => undefined);
    return record?.notifications.some((n) => n.state === 'delivered');
  });
  const record = await aggregatorOf(orderNo);
  expect(record).toMatchObject({ paid: true, payment: { totalFee: fee } });
  expect(record.calls.map((c) => c.result)).toEqual(['paid']);
  const row = await rowOf(orderNo);
  expect(row).toMatchObject({ status: 'paid', total: fee, channel: 'aggregator' });
  expect(row?.transaction_id).toBe(record.payment?.transactionId);
  const heard = await env.stack.sql<{ id: string }>(
    'SELECT id FROM notifications WHERE order_no = ?',
    orderNo,
  );
  expect(heard.map((n) => n.id)).toEqual([`aggregator:${record.payment?.payjsOrderId}`]);
}

/** Nothing was paid anywhere: the order waits at the server, the aggregator took no money. */
async function expectUnpaid(orderNo: string, calls: string[]): Promise<void> {
  const row = await rowOf(orderNo);
  expect(row).toMatchObject({ status: 'pending', channel: 'aggregator', transaction_id: null });
  const record = await aggregatorOf(orderNo);
  expect(record).toMatchObject({ paid: false, payment: null, notifications: [] });
  expect(record.calls.map((c) => c.result)).toEqual(calls);
}

const redirects = (phone: Phone): number =>
  phone.wx.emulator.navigations.filter((n) => n.kind === 'redirectTo').length;

describe('jump-out: paying in the cashier mini program', () => {
  it.each([
    ['App.onShow first', false],
    ["the page's onShow first", true],
  ])(
    'paid: back from the cashier, the result page shows what the server says (%s)',
    async (_, pageFirst) => {
      const { phone, cashier, orderNo, fee } = await goToCashier(
        pageFirst ? 'jump-paid-page' : 'jump-paid-app',
        { choice: 'success', leave: 'back' },
        { pageFirst },
      );
      const result = await phone.followRedirect();
      expect(result.name).toBe('pay-result');
      await waitForPhase(result.page, 'paid');
      expect(textOf(result.page, '#title')).toBe('支付成功');
      expect(textOf(result.page, '#order-no')).toBe(orderNo);
      expect(redirects(phone)).toBe(1);
      expect(phone.wx.emulator.phone.returns).toEqual([
        expect.objectContaining({ from: cashier.appId, how: 'navigateBackMiniProgram' }),
      ]);
      // The cashier was opened with the server's signed fields for this order's amount.
      expect(cashier.openedWith[0]).toMatchObject({
        out_trade_no: orderNo,
        total_fee: String(fee),
      });
      expect(cashier.errors).toEqual([]);
      await expectPaidByNotification(orderNo, fee);
    },
    30_000,
  );

  it("declined in WeChat's dialog: no jump, the page stays ready, nothing paid", async () => {
    const { phone, cashier, confirm, orderNo } = await goToCashier(
      'jump-dialog',
      { choice: 'success', leave: 'back' },
      { declineDialog: true },
    );
    await waitFor('the dialog', () => phone.wx.emulator.jumpDialogs.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(phone.wx.emulator.jumpDialogs[0]?.answer).toBe('cancel');
    expect(phone.wx.emulator.jumps).toEqual([]);
    expect(redirects(phone)).toBe(0);
    expect(confirm.data).toMatchObject({ phase: 'ready', jumpReady: true, payDisabled: false });
    expect(cashier.openedWith).toEqual([]);
    // Bound to the cashier when its arguments were fetched, never opened: no record there.
    const row = await rowOf(orderNo);
    expect(row).toMatchObject({ status: 'pending', channel: 'aggregator' });
    const all = await env.stack.sandboxGet<{ calls: Array<{ outTradeNo?: string }> }>(
      '/sandbox/aggregator/orders',
    );
    expect(all.calls.filter((c) => c.outTradeNo === orderNo)).toEqual([]);
  }, 30_000);

  it('cancelled in the cashier: unpaid, then paid on a second visit to the same order', async () => {
    const { phone, cashier, orderNo, fee } = await goToCashier('jump-cancel', {
      choice: 'cancel',
      leave: 'back',
    });
    const unpaid = await phone.followRedirect();
    await waitForPhase(unpaid.page, 'unpaid');
    expect(textOf(unpaid.page, '#title')).toBe('订单未支付');
    expect(textOf(unpaid.page, '#hint')).toBe(
      '商城没有收到收银台的付款确认。如已付款，结果稍后会更新，不会重复扣款。',
    );
    await expectUnpaid(orderNo, ['cancelled']);

    // Pay again: the order page starts on the cashier, as WeChat Pay would be refused now.
    tap(unpaid.page, '#pay-again');
    const again = await phone.followRedirect();
    expect(again.name).toBe('order-confirm');
    await waitForPhase(again.page, 'ready');
    expect(again.page.data.channel).toBe('jump-out');
    await waitFor('the cashier arguments', () => again.page.data.jumpReady === true);
    cashier.play = { choice: 'success', leave: 'back' };
    tapCashierButton(phone, again.page);
    const paid = await phone.followRedirect();
    await waitForPhase(paid.page, 'paid');
    const record = await aggregatorOf(orderNo);
    expect(record.calls.map((c) => c.result)).toEqual(['cancelled', 'paid']);
    await waitFor('the notification to be acknowledged', async () =>
      (await aggregatorOf(orderNo)).notifications.some((n) => n.state === 'delivered'),
    );
    expect(await rowOf(orderNo)).toMatchObject({ status: 'paid', total: fee });
  }, 30_000);

  it('swiped away after paying: back without extraData, still paid by the notification', async () => {
    const { phone, cashier, orderNo, fee } = await goToCashier('jump-swipe', {
      choice: 'success',
      leave: 'swipe',
    });
    const result = await phone.followRedirect();
    await waitForPhase(result.page, 'paid');
    expect(phone.wx.emulator.phone.returns).toEqual([
      expect.objectContaining({ from: cashier.appId, how: 'swipe-away' }),
    ]);
    expect(phone.wx.emulator.phone.returns[0]?.extraData).toBeUndefined();
    await expectPaidByNotification(orderNo, fee);
  }, 30_000);

  it('never back: the notification settles the order, and reopening shows paid', async () => {
    const { phone, cashier, orderNo, fee } = await goToCashier('jump-gone', {
      choice: 'success',
      leave: 'stay',
    });
    await expectPaidByNotification(orderNo, fee);
    // The shop never showed again, so it never left its page.
    expect(phone.wx.emulator.phone.returns).toEqual([]);
    expect(phone.wx.emulator.phone.stack.at(-1)).toBe(cashier.appId);
    expect(redirects(phone)).toBe(0);

    const reopened = phone.open('pay-result', { orderNo });
    await waitForPhase(reopened, 'paid');
    expect(textOf(reopened, '#amount')).toBe(`¥${(fee / 100).toFixed(2)}`);
    // And the order page of it goes straight to its result.
    phone.open('order-confirm', { orderNo });
    const result = await phone.followRedirect();
    expect(result.name).toBe('pay-result');
    await waitForPhase(result.page, 'paid');
  }, 30_000);

  it('a forged "paid" on the way back: the result page shows unpaid, as the server says', async () => {
    const forged = { result: 'paid', transaction_id: '4200000000000000000000000000', paid: true };
    const { phone, orderNo } = await goToCashier('jump-forged', {
      choice: 'cancel',
      leave: 'back',
      forgedBack: forged,
    });
    const result = await phone.followRedirect();
    await waitForPhase(result.page, 'unpaid');
    expect(textOf(result.page, '#title')).toBe('订单未支付');
    expect(phone.wx.emulator.phone.returns[0]?.extraData).toEqual(forged);
    await expectUnpaid(orderNo, ['cancelled']);
  }, 30_000);

  it("Android's stale return on a later show: no second redirect, no wrong state", async () => {
    const { phone, cashier, orderNo } = await goToCashier(
      'jump-android',
      { choice: 'cancel', leave: 'back' },
      { platform: 'android' },
    );
    const unpaid = await phone.followRedirect();
    await waitForPhase(unpaid.page, 'unpaid');
    tap(unpaid.page, '#pay-again');
    const again = await phone.followRedirect();
    await waitForPhase(again.page, 'ready');
    const before = redirects(phone);

    // Home button, then back to WeChat: Android reports the earlier return once more.
    phone.wx.emulator.background();
    phone.wx.emulator.foreground();
    const shown = phone.wx.getEnterOptionsSync();
    expect(shown).toMatchObject({ scene: 1038, referrerInfo: { appId: cashier.appId } });
    await new Promise((r) => setTimeout(r, 500));
    expect(redirects(phone)).toBe(before);
    expect(again.page.data).toMatchObject({ phase: 'ready', channel: 'jump-out' });
    expect(cashier.openedWith).toHaveLength(1);
    await expectUnpaid(orderNo, ['cancelled']);
  }, 30_000);
});
