/**
 * Our cashier mini program (cashier/) on its own, opened by another mini program the way the
 * shop and the plugin's page open it, against a real stack: it shows the server's order, signs
 * in under its own AppID, pays with wx.requestPayment on arguments signed for that AppID, and
 * goes back from its button. Half screen and the full-screen fallback, a cancel in WeChat Pay,
 * opened twice, swiped away, opened with no order, a forged token, an order already being paid
 * in the shop.
 */
import { createWx } from '../../dev/emulator';
import type { EmulatedWx } from '../../dev/emulator';
import { installCashier, loadCashierPage } from '../../dev/cashier-app';
import type { CashierOnPhone } from '../../dev/cashier-app';
import { textOf, waitFor, waitForPhase } from '../../dev/pages-harness';
import { startRemoteStack } from '../../dev/remote-stack';
import type { RemoteStack } from '../../dev/remote-stack';
import type { CreatedOrder } from '../../typings/api';
import type { CashierOpenData } from '../../typings/cashier';
import { catalogOf, createOrder, payAs, sessionOf } from '../miniprogram/stack-api';

let stack: RemoteStack;
let pageId: string;
let cashierAppId: string;
let cashiers: CashierOnPhone[] = [];

beforeAll(async () => {
  pageId = loadCashierPage();
  stack = await startRemoteStack();
  const catalog = await catalogOf(stack);
  expect(catalog.channels).toContain('half-screen');
  cashierAppId = catalog.cashierApp?.appId ?? '';
}, 60_000);

afterEach(() => {
  for (const c of cashiers) c.put();
  cashiers = [];
});

afterAll(() => stack?.close());

interface Row {
  status: string;
  openid: string | null;
  pay_appid: string | null;
  channel: string | null;
}

async function rowOf(orderNo: string): Promise<Row | undefined> {
  const [row] = await stack.sql<Row>(
    'SELECT status, openid, pay_appid, channel FROM orders WHERE order_no = ?',
    orderNo,
  );
  return row;
}

/** The shop's wx (the opener) and our cashier on one phone. */
function phoneWith(user: string, options: { approved?: boolean } = {}) {
  const opener = createWx({
    sandboxUrl: stack.sandboxUrl,
    user,
    appid: stack.appId,
    embeddedAppIds: options.approved === false ? [] : [cashierAppId],
  });
  const cashier = installCashier(
    opener,
    { appId: cashierAppId, serverUrl: stack.serverUrl },
    pageId,
  );
  cashiers.push(cashier);
  return { opener, cashier };
}

function openCashier(
  opener: EmulatedWx,
  data: Partial<CashierOpenData> | undefined,
  orderNo?: string,
): void {
  const query = orderNo ? `?orderNo=${orderNo}` : '';
  opener.emulator.tap(() =>
    opener.openEmbeddedMiniProgram({
      appId: cashierAppId,
      path: `pages/pay/index${query}`,
      ...(data ? { extraData: { ...data } } : {}),
      envVersion: 'release',
    }),
  );
}

const openData = (o: CreatedOrder): CashierOpenData => ({
  orderNo: o.orderNo,
  orderToken: o.orderToken,
});

async function openedPage(cashier: CashierOnPhone, phase: string | string[] = 'ready') {
  const page = await waitFor('the cashier to open', () => cashier.page);
  await waitForPhase(page, phase);
  return page;
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

describe('the cashier mini program', () => {
  it('half screen: shows the order, pays under its own AppID, goes back from its button', async () => {
    const { opener, cashier } = phoneWith('cashier-paid');
    const o = await createOrder(stack);
    openCashier(opener, openData(o), o.orderNo);
    const page = await openedPage(cashier);
    expect(opener.emulator.jumps.map((j) => j.kind)).toEqual(['embedded']);
    expect(page.data.embedded).toBe(true);
    expect(textOf(page, '#amount')).toBe(yuan(o.total));
    expect(textOf(page, '#order-no')).toBe(o.orderNo);
    expect(textOf(page, '#lines')).toContain('× 1');

    cashier.tapPay();
    await waitForPhase(page, 'paid', 15_000);
    expect(textOf(page, '#title')).toBe('支付成功');
    const row = await rowOf(o.orderNo);
    expect(row).toMatchObject({ status: 'paid', pay_appid: cashierAppId, channel: 'wechat' });
    // wx.login and wx.requestPayment ran under the cashier's AppID, not the shop's.
    expect(cashier.wx?.emulator.payments.map((p) => p.errMsg)).toEqual(['requestPayment:ok']);
    expect(opener.emulator.payments).toEqual([]);

    cashier.tapBack();
    const phone = opener.emulator.phone;
    await waitFor('the way back', () => phone.returns.length === 1);
    expect(phone.returns[0]).toMatchObject({
      from: cashierAppId,
      to: stack.appId,
      how: 'navigateBackMiniProgram',
      extraData: { orderNo: o.orderNo, outcome: 'paid' },
    });
    expect(opener.getEnterOptionsSync()).toMatchObject({
      scene: 1038,
      referrerInfo: { appId: cashierAppId },
    });
  });

  it('a cancel in WeChat Pay leaves the order unpaid and payable again there', async () => {
    const { opener, cashier } = phoneWith('cashier-cancel');
    const o = await createOrder(stack);
    openCashier(opener, openData(o));
    const page = await openedPage(cashier);
    const wx = cashier.wx as EmulatedWx;
    wx.emulator.cashierOutcome = 'cancel';
    cashier.tapPay();
    await waitFor('the cancel', () => textOf(page, '#status') === '已取消支付，可再次支付');
    expect(page.data.phase).toBe('ready');
    expect((await rowOf(o.orderNo))?.status).toBe('pending');

    wx.emulator.cashierOutcome = 'success';
    cashier.tapPay();
    await waitForPhase(page, 'paid', 15_000);
    expect((await rowOf(o.orderNo))?.status).toBe('paid');
  });

  it('two taps pay once', async () => {
    const { opener, cashier } = phoneWith('cashier-double');
    const o = await createOrder(stack);
    openCashier(opener, openData(o));
    const page = await openedPage(cashier);
    cashier.tapPay();
    cashier.tapPay();
    await waitForPhase(page, 'paid', 15_000);
    expect(cashier.wx?.emulator.payments).toHaveLength(1);
  });

  it('opened full screen (not approved for half screen) it pays the same', async () => {
    const { opener, cashier } = phoneWith('cashier-full', { approved: false });
    const o = await createOrder(stack);
    openCashier(opener, openData(o));
    const page = await openedPage(cashier);
    expect(opener.emulator.jumps.map((j) => [j.kind, j.reason])).toEqual([
      ['fallback', 'not-approved'],
    ]);
    expect(opener.emulator.jumpDialogs).toEqual([{ appId: cashierAppId, answer: 'confirm' }]);
    expect(page.data.embedded).toBe(false);
    cashier.tapPay();
    await waitForPhase(page, 'paid', 15_000);
    expect(page.querySelector('#back')).toBeTruthy();
  });

  it('opened twice, the second time for another order: shows and pays that one', async () => {
    const { opener, cashier } = phoneWith('cashier-twice');
    const first = await createOrder(stack);
    const second = await createOrder(stack, [{ sku: 'TEA-LJ-250', quantity: 2 }]);
    openCashier(opener, openData(first));
    const page = await openedPage(cashier);
    cashier.tapBack();
    await waitFor('back in the shop', () => opener.emulator.phone.returns.length === 1);
    expect(opener.emulator.phone.returns[0]?.extraData).toEqual({
      orderNo: first.orderNo,
      outcome: 'unpaid',
    });

    openCashier(opener, openData(second));
    await waitFor('the second order', () => page.data.orderNo === second.orderNo);
    await waitForPhase(page, 'ready');
    // Hot: the same page, shown again with the new opening.
    expect(cashier.launches).toBe(1);
    expect(cashier.page).toBe(page);
    expect(textOf(page, '#amount')).toBe(yuan(second.total));
    cashier.tapPay();
    await waitForPhase(page, 'paid', 15_000);
    expect((await rowOf(second.orderNo))?.status).toBe('paid');
    expect((await rowOf(first.orderNo))?.status).toBe('pending');
  });

  it('swiped away: the shop shows again and nothing was paid', async () => {
    const { opener, cashier } = phoneWith('cashier-swipe');
    const o = await createOrder(stack);
    openCashier(opener, openData(o));
    await openedPage(cashier);
    opener.emulator.swipeAway(cashierAppId);
    expect(opener.emulator.phone.returns.map((r) => r.how)).toEqual(['swipe-away']);
    expect(opener.getEnterOptionsSync().scene).toBe(1038);
    expect((await rowOf(o.orderNo))?.status).toBe('pending');
  });

  it('opened with no order: says so and offers nothing to pay', async () => {
    const { opener, cashier } = phoneWith('cashier-none');
    openCashier(opener, undefined);
    const page = await openedPage(cashier, 'error');
    expect(textOf(page, '#status')).toBe('没有要支付的订单，请从商家小程序发起支付');
    expect(page.querySelector('#pay')).toBeFalsy();
    expect(page.querySelector('#back')).toBeTruthy();
  });

  it.each([
    [
      'a token that is not the order’s',
      { orderToken: 'A'.repeat(43) },
      '无权支付该订单，请从商家小程序重新发起支付',
    ],
    ['an order number nobody made', { orderNo: 'NOSUCHORDER123' }, '找不到该订单'],
  ])(
    'forged extraData (%s) is refused by the server, nothing changes',
    async (_name, forged, text) => {
      const { opener, cashier } = phoneWith(`cashier-forged-${_name.length}`);
      const o = await createOrder(stack);
      const before = await rowOf(o.orderNo);
      openCashier(opener, { ...openData(o), ...forged });
      const page = await openedPage(cashier, 'error');
      expect(textOf(page, '#status')).toBe(text);
      expect(page.querySelector('#pay')).toBeFalsy();
      expect(await rowOf(o.orderNo)).toEqual(before);
    },
  );

  it('an order already being paid in the shop (plugin) is not paid here', async () => {
    const { opener, cashier } = phoneWith('cashier-conflict');
    const o = await createOrder(stack);
    const owner = await sessionOf(stack, 'cashier-conflict');
    expect((await payAs(stack, o, owner.token)).status).toBe(200);
    const before = await rowOf(o.orderNo);
    openCashier(opener, openData(o));
    const page = await openedPage(cashier);
    cashier.tapPay();
    await waitForPhase(page, 'error');
    expect(textOf(page, '#status')).toBe('该订单已在商家小程序中发起支付，请返回原页面完成支付');
    expect(cashier.wx?.emulator.payments).toEqual([]);
    expect(await rowOf(o.orderNo)).toEqual(before);
  });
});
