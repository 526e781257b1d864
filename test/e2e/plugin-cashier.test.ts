/**
 * A third-party host pays in the merchant's cashier mini program through the plugin's PAGE:
 * the consumer's checkout (its own AppID) → 在收银台支付 → plugin://pay/cashier (the plugin page,
 * the only plugin surface that may call wx.openEmbeddedMiniProgram) → our real cashier mini
 * program (cashier/, its own AppID and wx) half-screen → paid through the server and sandbox →
 * back: the plugin page and then the consumer's page each ask the server, and say 支付成功.
 */
import simulate from 'miniprogram-simulate';
import { installCashier, loadCashierPage } from '../../dev/cashier-app';
import type { CashierOnPhone } from '../../dev/cashier-app';
import { loadConsumerPage, pickUpConsumerPhone } from '../../dev/consumer-phone';
import type { ConsumerPhone } from '../../dev/consumer-phone';
import { createWx, installWx } from '../../dev/emulator';
import { catalogOf } from '../miniprogram/stack-api';
import type { Page } from '../../dev/pages-harness';
import { textOf, waitFor, waitForPhase } from '../../dev/pages-harness';
import { routeRequests } from '../../dev/phone';
import { loadFromTree } from '../../dev/simulate-load';
import { startRemoteStack } from '../../dev/remote-stack';
import type { RemoteStack } from '../../dev/remote-stack';
import { API_BASE_URL } from '../../plugin/build-config';
import type { CashierAppInfo } from '../../typings';

let stack: RemoteStack;
let consumerPageId: string;
let pluginPageId: string;
let cashierPageId: string;
let cashierApp: CashierAppInfo;

interface Showable {
  onLoad(query: Record<string, string>): void;
  onShow(): void;
  onUnload(): void;
}
const lifecycle = (page: Page) => page.instance as unknown as Showable;

beforeAll(async () => {
  consumerPageId = loadConsumerPage();
  cashierPageId = loadCashierPage();
  pluginPageId = loadFromTree('source', 'plugin/pages/cashier/index');
  stack = await startRemoteStack();
  const catalog = await catalogOf(stack);
  expect(catalog.channels).toContain('half-screen');
  cashierApp = catalog.cashierApp as CashierAppInfo;
}, 60_000);

afterAll(() => stack?.close());

/** `plugin://pay/cashier?orderNo=…&orderToken=…` → the plugin page's onLoad query. */
function pluginPageQuery(url: string): Record<string, string> {
  const match = /^plugin:\/\/pay\/cashier\?(.*)$/.exec(url);
  if (!match) throw new Error(`not the plugin's cashier page: ${url}`);
  return Object.fromEntries(new URLSearchParams(match[1]));
}

it('consumer page → plugin page → our cashier mini program half-screen → paid, on both pages', async () => {
  const user = 'consumer-cashier-page';
  let phone: ConsumerPhone | undefined;
  let cashier: CashierOnPhone | undefined;
  const undo: Array<() => void> = [];
  try {
    phone = pickUpConsumerPhone(
      {
        serverUrl: stack.serverUrl,
        sandboxUrl: stack.sandboxUrl,
        consumerAppId: stack.consumerAppId,
        pluginToken: stack.pluginToken,
        user,
      },
      consumerPageId,
    );
    const { hostWx } = phone;
    const checkout = phone.open();
    await waitForPhase(checkout, 'ready');
    const orderNo = String(checkout.data.orderNo);
    const amount = textOf(checkout, '#amount');
    expect(textOf(checkout, '#cashier')).toBe('在收银台支付');

    // 在收银台支付: the host navigates to the plugin's page.
    (checkout.instance as unknown as { onCashier(): void }).onCashier();
    const nav = hostWx.emulator.navigations.at(-1);
    expect(nav?.kind).toBe('navigateTo');
    const query = pluginPageQuery(String(nav?.url));
    expect(query).toEqual({ orderNo, orderToken: expect.stringMatching(/^[\w-]{43}$/) });

    // The plugin page gets the plugin's wx as a PAGE (it may open mini programs); the host
    // approved our cashier for its half screen.
    const pageWx = createWx({
      sandboxUrl: stack.sandboxUrl,
      user,
      context: 'plugin',
      pluginSurface: 'page',
      phone: hostWx.emulator.phone,
      hostAppId: stack.consumerAppId,
      pluginToken: stack.pluginToken,
      embeddedAppIds: [cashierApp.appId],
    });
    routeRequests(pageWx, API_BASE_URL, stack.serverUrl);
    undo.push(installWx(pageWx));
    cashier = installCashier(
      hostWx,
      { appId: cashierApp.appId, serverUrl: stack.serverUrl },
      cashierPageId,
    );

    const pluginPage = simulate.render(pluginPageId) as unknown as Page;
    pluginPage.attach(document.createElement('plugin-page-wrapper'));
    hostWx.emulator.setPage({ onShow: () => lifecycle(pluginPage).onShow() });
    lifecycle(pluginPage).onLoad(query);
    lifecycle(pluginPage).onShow();
    await waitForPhase(pluginPage, 'ready');
    expect(textOf(pluginPage, '#amount')).toBe(amount);

    pageWx.emulator.tap(() => (pluginPage.instance as unknown as { onPay(): void }).onPay());
    const paying = await waitFor('the cashier to open', () => cashier?.page);
    await waitForPhase(paying, 'ready');
    expect(pageWx.emulator.jumps).toEqual([
      expect.objectContaining({
        kind: 'embedded',
        appId: cashierApp.appId,
        extraData: { orderNo, orderToken: query.orderToken },
      }),
    ]);
    expect(textOf(paying, '#amount')).toBe(amount);
    cashier.tapPay();
    await waitForPhase(paying, 'paid', 15_000);
    cashier.tapBack();

    // Back on the plugin page: it asked the server.
    await waitForPhase(pluginPage, 'paid', 15_000);
    expect(textOf(pluginPage, '#status')).toBe('支付成功');

    // 返回: the host's page shows again and reads the order itself.
    (pluginPage.instance as unknown as { onBack(): void }).onBack();
    expect(pageWx.emulator.navigations).toEqual([{ kind: 'navigateBack', delta: 1 }]);
    lifecycle(pluginPage).onUnload();
    pluginPage.detach();
    undo.pop()?.();
    hostWx.emulator.setPage({ onShow: () => lifecycle(checkout).onShow() });
    lifecycle(checkout).onShow();
    await waitForPhase(checkout, 'paid', 15_000);
    expect(textOf(checkout, '#status')).toBe('支付成功');

    const [row] = await stack.sql<{ status: string; pay_appid: string; host_appid: string }>(
      'SELECT status, pay_appid, host_appid FROM orders WHERE order_no = ?',
      orderNo,
    );
    expect(row).toEqual({
      status: 'paid',
      pay_appid: cashierApp.appId,
      host_appid: stack.consumerAppId,
    });
    // The cashier paid; the host and the plugin never called WeChat Pay.
    expect(cashier.wx?.emulator.payments.map((p) => p.errMsg)).toEqual(['requestPayment:ok']);
    expect(hostWx.emulator.payments).toEqual([]);
    expect(hostWx.emulator.phone.errors).toEqual([]);
  } finally {
    for (const fn of undo.reverse()) fn();
    cashier?.put();
    phone?.put();
  }
}, 45_000);
