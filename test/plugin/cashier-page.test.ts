/**
 * The plugin's cashier page (plugin://pay/cashier) on an emulated phone, against the real
 * server and sandbox: it shows the server's order, opens the merchant's cashier mini program
 * (half-screen when the host approved it, else WeChat's full-screen fallback with its dialog)
 * exactly once per tap and only from the tap, and after every return reads the order from the
 * server: paid only when the TEST paid it through the server and the sandbox under the
 * cashier's AppID, never because of what came back.
 */
import simulate from 'miniprogram-simulate';
import { createWx, installWx, postJson } from '../../dev/emulator';
import type { EmulatedWx } from '../../dev/emulator';
import type { EnterOptions } from '../../dev/emulator/phone';
import { routeRequests } from '../../dev/phone';
import { loadFromTree } from '../../dev/simulate-load';
import { startRemoteStack } from '../../dev/remote-stack';
import type { RemoteStack } from '../../dev/remote-stack';
import { waitFor } from '../../dev/wait-for';
import { httpRequest } from '../../dev/emulator/http';
import { catalogOf } from '../miniprogram/stack-api';
import { API_BASE_URL } from '../../plugin/build-config';
import { formatFee } from '../../plugin/index';
import { PluginOrderError, cashierAppOf, createOrder } from '../../plugin/orders';
import type { CashierAppInfo, CreatedOrder } from '../../typings';
import type { RequestPaymentArgs } from '../../typings/payment';

let stack: RemoteStack;
/** The same stack with the cashier app off: its catalogue has no 'half-screen'. */
let plain: RemoteStack;
let cashierApp: CashierAppInfo;
let pageId: string;
const cleanup: Array<() => void> = [];

interface PageMethods {
  onLoad(query: Record<string, string>): void;
  onShow(): void;
  onUnload(): void;
  onPay(): void;
  onBack(): void;
}
type Rendered = ReturnType<typeof simulate.render>;

beforeAll(async () => {
  pageId = loadFromTree('source', 'plugin/pages/cashier/index');
  [stack, plain] = await Promise.all([startRemoteStack(), startRemoteStack({ cashierApp: false })]);
  const catalog = await catalogOf(stack);
  expect(catalog.channels).toContain('half-screen');
  cashierApp = catalog.cashierApp as CashierAppInfo;
}, 90_000);

afterAll(async () => {
  await Promise.all([stack?.close(), plain?.close()]);
});

afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn();
});

interface PhoneOptions {
  server?: RemoteStack;
  /** The host approved the cashier for its half screen (半屏小程序管理). */
  approved?: boolean;
  jumpConfirmAnswers?: Array<'confirm' | 'cancel'>;
  baseLibrary?: string;
  surface?: 'page' | 'component';
}

interface OnPhone {
  hostWx: EmulatedWx;
  /** The plugin page's own wx. */
  pluginWx: EmulatedWx;
  /** Every wx.openEmbeddedMiniProgram the page made, as it made it. */
  calls: Array<Record<string, unknown>>;
  /** The cashier mini program's launches and shows. */
  launches: EnterOptions[];
  cashierWx(): EmulatedWx;
}

/** A consumer (host) phone with the plugin page's wx installed and the cashier registered. */
function phone(user: string, options: PhoneOptions = {}): OnPhone {
  const server = options.server ?? stack;
  const hostWx = createWx({ sandboxUrl: server.sandboxUrl, user, appid: server.consumerAppId });
  const pluginWx = createWx({
    sandboxUrl: server.sandboxUrl,
    user,
    context: 'plugin',
    pluginSurface: options.surface ?? 'page',
    phone: hostWx.emulator.phone,
    hostAppId: server.consumerAppId,
    pluginToken: server.pluginToken,
    // The emulator reads half-screen approval from the calling wx's settings.
    embeddedAppIds: options.approved === false ? [] : [cashierApp.appId],
    jumpConfirmAnswers: options.jumpConfirmAnswers ?? [],
    ...(options.baseLibrary ? { baseLibrary: options.baseLibrary } : {}),
  });
  routeRequests(pluginWx, API_BASE_URL, server.serverUrl);
  const calls: Array<Record<string, unknown>> = [];
  const open = pluginWx.openEmbeddedMiniProgram;
  if (open) {
    pluginWx.openEmbeddedMiniProgram = (option) => {
      calls.push({ ...option });
      open(option);
    };
  }
  const launches: EnterOptions[] = [];
  const target = hostWx.emulator.registerMiniProgram(cashierApp.appId, {
    homePath: 'pages/pay/index',
    onLaunch: (o) => launches.push(o),
  });
  cleanup.push(installWx(pluginWx));
  return {
    hostWx,
    pluginWx,
    calls,
    launches,
    cashierWx: () => {
      if (!target.wx) throw new Error('the cashier was never opened');
      return target.wx;
    },
  };
}

/** WeChat opens the plugin page: onLoad(query), then onShow; it is the host's page in front. */
function openPage(on: OnPhone, query: Record<string, string>): Rendered {
  const page = simulate.render(pageId);
  page.attach(document.createElement('parent-wrapper'));
  const methods = page.instance as unknown as PageMethods;
  on.hostWx.emulator.setPage({ onShow: () => methods.onShow() });
  methods.onLoad(query);
  methods.onShow();
  cleanup.push(() => {
    methods.onUnload();
    page.detach();
  });
  return page;
}

const methodsOf = (page: Rendered) => page.instance as unknown as PageMethods;
const textOf = (page: Rendered, selector: string) =>
  page.querySelector(selector)?.dom?.textContent?.trim() ?? '';
const phaseOf = (page: Rendered) => String((page.data as { phase: unknown }).phase);
const waitForPhase = (page: Rendered, phase: string, ms = 10_000) =>
  waitFor(`phase ${phase} (now ${phaseOf(page)})`, () => phaseOf(page) === phase, ms);
const tapPay = (on: OnPhone, page: Rendered) =>
  on.pluginWx.emulator.tap(() => methodsOf(page).onPay());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The host's order, created through the plugin's own API (WeChat signs it as the host's). */
function order(): Promise<CreatedOrder> {
  return createOrder([{ sku: 'TEA-LJ-250', quantity: 1 }]);
}
const refOf = (o: CreatedOrder) => ({ orderNo: o.orderNo, orderToken: o.orderToken });

/**
 * What the cashier mini program does, done by the test through the real server and sandbox
 * (as test/reliability/cashier-app.test.ts): the payer signs in under the cashier's AppID
 * with the order's token (pay-with-login), and pays at the sandbox's cashier from that AppID.
 */
async function payInCashier(server: RemoteStack, o: CreatedOrder, user: string): Promise<void> {
  const minted = await postJson<{ code: string }>(`${server.sandboxUrl}/sandbox/login-code`, {
    user,
    appid: cashierApp.appId,
  });
  const res = await httpRequest({
    method: 'POST',
    url: `${server.serverUrl}/api/orders/${o.orderNo}/pay-with-login`,
    headers: { 'content-type': 'application/json', 'x-order-token': o.orderToken },
    body: JSON.stringify({ code: minted.code, appId: cashierApp.appId }),
    timeoutMs: 10_000,
  });
  expect(res.statusCode).toBe(200);
  const { session, payment } = JSON.parse(res.body) as {
    session: { openid: string };
    payment: RequestPaymentArgs;
  };
  const paid = await postJson<{ errMsg: string }>(`${server.sandboxUrl}/sandbox/cashier/pay`, {
    appid: cashierApp.appId,
    openid: session.openid,
    outcome: 'success',
    requestPaymentArgs: payment,
  });
  expect(paid.errMsg).toBe('requestPayment:ok');
}

function back(wx: EmulatedWx, extraData?: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) =>
    wx.navigateBackMiniProgram({
      ...(extraData ? { extraData } : {}),
      success: (r) => resolve(r.errMsg),
      fail: (e) => reject(new Error(e.errMsg)),
    }),
  );
}

describe('the plugin cashier page', () => {
  it('shows the order from the server and offers the cashier; opens nothing by itself', async () => {
    const on = phone('cp-render');
    const o = await order();
    const page = openPage(on, refOf(o));
    await waitForPhase(page, 'ready');
    expect(textOf(page, '#order-no')).toBe(o.orderNo);
    expect(textOf(page, '#amount')).toBe(formatFee(o.total));
    expect(textOf(page, '#status')).toBe('尚未支付');
    expect(textOf(page, '#pay')).toBe('去收银台支付');
    expect(textOf(page, '#back')).toBe('返回');
    // Loaded and shown, and shown again: no jump without a tap.
    methodsOf(page).onShow();
    await sleep(200);
    expect(on.calls).toEqual([]);
    expect(on.pluginWx.emulator.jumps).toEqual([]);
  }, 30_000);

  it('approved: one tap opens the cashier half-screen once; paid there, back shows 支付成功', async () => {
    const user = 'cp-embedded';
    const on = phone(user);
    const o = await order();
    const page = openPage(on, refOf(o));
    await waitForPhase(page, 'ready');
    // A double tap: one jump at a time.
    tapPay(on, page);
    tapPay(on, page);
    await waitFor('the cashier to open', () => on.launches.length === 1);
    expect(on.calls).toEqual([
      expect.objectContaining({
        appId: cashierApp.appId,
        path: `${cashierApp.path}?orderNo=${o.orderNo}`,
        extraData: { orderNo: o.orderNo, orderToken: o.orderToken },
        envVersion: cashierApp.envVersion,
      }),
    ]);
    expect(on.pluginWx.emulator.jumps).toEqual([
      expect.objectContaining({
        kind: 'embedded',
        appId: cashierApp.appId,
        extraData: { orderNo: o.orderNo, orderToken: o.orderToken },
      }),
    ]);
    expect(on.pluginWx.emulator.jumpDialogs).toEqual([]);
    expect(on.launches[0]).toMatchObject({
      path: cashierApp.path,
      query: { orderNo: o.orderNo },
      scene: 1037,
      apiCategory: 'embedded',
      referrerInfo: { appId: stack.consumerAppId },
    });

    await payInCashier(stack, o, user);
    expect(await back(on.cashierWx(), { orderNo: o.orderNo, outcome: 'paid' })).toBe(
      'navigateBackMiniProgram:ok',
    );
    await waitForPhase(page, 'paid', 15_000);
    expect(textOf(page, '#status')).toBe('支付成功');
    expect(page.querySelector('#pay')).toBeUndefined();
    expect(on.pluginWx.emulator.toasts).toEqual([]);
    expect(on.hostWx.emulator.phone.errors).toEqual([]);
  }, 30_000);

  it('not approved: WeChat falls back to full screen with its dialog; back unpaid → 尚未支付, and a forged "paid" changes nothing', async () => {
    const on = phone('cp-fallback', { approved: false });
    const o = await order();
    const page = openPage(on, refOf(o));
    await waitForPhase(page, 'ready');
    tapPay(on, page);
    await waitFor('the cashier to open', () => on.launches.length === 1);
    expect(on.pluginWx.emulator.jumpDialogs).toEqual([
      { appId: cashierApp.appId, answer: 'confirm' },
    ]);
    expect(on.pluginWx.emulator.jumps).toEqual([
      expect.objectContaining({
        kind: 'fallback',
        appId: cashierApp.appId,
        reason: 'not-approved',
      }),
    ]);
    expect(on.launches[0]?.apiCategory).toBe('default');
    // The user leaves without paying; whatever comes back is not read.
    const reads = () => on.pluginWx.emulator.roundTripsByUrl[`GET /api/orders/${o.orderNo}`] ?? 0;
    const before = reads();
    await back(on.cashierWx(), { orderNo: o.orderNo, outcome: 'paid' });
    await waitFor('the order read again', () => reads() > before);
    await sleep(200);
    expect(phaseOf(page)).toBe('ready');
    expect(textOf(page, '#status')).toBe('尚未支付');
    expect(textOf(page, '#pay')).toBe('去收银台支付');
    const [row] = await stack.sql<{ status: string }>(
      'SELECT status FROM orders WHERE order_no = ?',
      o.orderNo,
    );
    expect(row?.status).toBe('pending');
  }, 30_000);

  it('the fallback dialog declined: a quiet cancel, still on the page, nothing pending', async () => {
    const on = phone('cp-declined', { approved: false, jumpConfirmAnswers: ['cancel'] });
    const o = await order();
    const page = openPage(on, refOf(o));
    await waitForPhase(page, 'ready');
    tapPay(on, page);
    await waitFor('the dialog', () => on.pluginWx.emulator.jumpDialogs.length === 1);
    await sleep(100);
    expect(on.pluginWx.emulator.jumpDialogs).toEqual([
      { appId: cashierApp.appId, answer: 'cancel' },
    ]);
    expect(on.pluginWx.emulator.jumps).toEqual([]);
    expect(on.launches).toEqual([]);
    expect(on.pluginWx.emulator.toasts).toEqual([]);
    expect(on.pluginWx.emulator.navigations).toEqual([]);
    expect(phaseOf(page)).toBe('ready');
    // Nothing is left pending: the next tap jumps (and this time the dialog is confirmed).
    tapPay(on, page);
    await waitFor('the cashier to open', () => on.launches.length === 1);
    expect(on.calls).toHaveLength(2);
  }, 30_000);

  it('a call outside a tap is refused by WeChat: no jump, a toast', async () => {
    const on = phone('cp-no-tap');
    const page = openPage(on, refOf(await order()));
    await waitForPhase(page, 'ready');
    methodsOf(page).onPay();
    await waitFor('the toast', () => on.pluginWx.emulator.toasts.length === 1);
    expect(on.pluginWx.emulator.toasts[0]).toMatchObject({ title: '无法打开收银台' });
    expect(on.pluginWx.emulator.jumps).toEqual([]);
    expect(on.launches).toEqual([]);
  }, 30_000);

  it('from a plugin COMPONENT the API is refused (only plugin pages may open mini programs)', async () => {
    const on = phone('cp-component', { surface: 'component' });
    const got = await new Promise<string>((resolve) =>
      on.pluginWx.emulator.tap(() =>
        on.pluginWx.openEmbeddedMiniProgram!({
          appId: cashierApp.appId,
          success: (r) => resolve(r.errMsg),
          fail: (e) => resolve(e.errMsg),
        }),
      ),
    );
    expect(got).toBe(
      'openEmbeddedMiniProgram:fail rejected due to no permission currently in plugin',
    );
  });

  it('base library below 2.26.2: the page says WeChat is too old and offers no button', async () => {
    const on = phone('cp-old', { baseLibrary: '2.26.1' });
    expect('openEmbeddedMiniProgram' in on.pluginWx).toBe(false);
    const o = await order();
    const page = openPage(on, refOf(o));
    await waitForPhase(page, 'ready');
    expect(textOf(page, '#amount')).toBe(formatFee(o.total));
    expect(page.querySelector('#pay')).toBeUndefined();
    expect(textOf(page, '#notice')).toMatch(/^微信版本过低/);
    tapPay(on, page);
    await sleep(100);
    expect(on.pluginWx.emulator.jumps).toEqual([]);
  }, 30_000);

  it('a catalogue without half-screen: 商家暂未开通收银台支付, no button', async () => {
    const on = phone('cp-off', { server: plain });
    expect(await cashierAppOf()).toBeUndefined();
    const o = await order();
    const page = openPage(on, refOf(o));
    await waitForPhase(page, 'ready');
    expect(textOf(page, '#amount')).toBe(formatFee(o.total));
    expect(textOf(page, '#notice')).toBe('商家暂未开通收银台支付');
    expect(page.querySelector('#pay')).toBeUndefined();
    tapPay(on, page);
    await sleep(100);
    expect(on.calls).toEqual([]);
  }, 30_000);

  it.each([
    ['no query', {}],
    ['a bad order number', { orderNo: 'x', orderToken: 'A'.repeat(43) }],
    ['a bad token', { orderNo: 'WP20261123ABCDEF', orderToken: 'short' }],
  ])('%s: an error state and no request', async (_name, query) => {
    const on = phone('cp-invalid');
    const page = openPage(on, query as Record<string, string>);
    await sleep(100);
    expect(phaseOf(page)).toBe('invalid');
    expect(textOf(page, '#state-invalid')).toBe('订单信息有误，请返回重新下单');
    expect(on.pluginWx.emulator.roundTripsByUrl).toEqual({});
  });

  it('返回 goes back to the host page (wx.navigateBack)', async () => {
    const on = phone('cp-back');
    const page = openPage(on, refOf(await order()));
    await waitForPhase(page, 'ready');
    methodsOf(page).onBack();
    expect(on.pluginWx.emulator.navigations).toEqual([{ kind: 'navigateBack', delta: 1 }]);
  }, 30_000);
});

describe('cashierAppOf checks the catalogue', () => {
  it('answers the cashier app of a half-screen server', async () => {
    phone('cp-catalog');
    expect(await cashierAppOf()).toEqual(cashierApp);
  });

  it('refuses a cashier app it could not open safely (MALFORMED_RESPONSE)', async () => {
    const on = phone('cp-catalog-bad');
    const request = on.pluginWx.request.bind(on.pluginWx);
    on.pluginWx.request = (option) =>
      request({
        ...option,
        success: (res) =>
          option.success?.({
            ...res,
            data: { channels: ['plugin', 'half-screen'], cashierApp: { appId: 'evil' } },
          } as never),
      });
    await expect(cashierAppOf()).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE' });
    await expect(cashierAppOf()).rejects.toBeInstanceOf(PluginOrderError);
  });
});
