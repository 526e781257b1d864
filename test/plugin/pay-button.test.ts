import { FUNCTIONAL_PAGE_VERSION, SANDBOX_URL } from '../../plugin/build-config';
import { RETURN_GRACE_MS } from '../../plugin/components/pay-button/constants';
import { createWx, installWx } from '../../dev/emulator';
import { routeRequests } from '../../dev/phone';
import { BUTTON_MESSAGES } from '../../plugin/messages';
import type { EmulatedWx } from '../../dev/emulator';
import {
  connectFunctionalPages,
  navigatorTaps,
  resetNavigatorTaps,
  tapPayButton,
} from '../../dev/emulator/navigator';
import { classOf, loadPayButton, pageLifetime, renderHost, settle, textOf, waitFor } from './host';

// WeChat's built-in navigator (loadPayButton installs it) with its real properties and no
// functional page behind it: events are fired by hand here.
connectFunctionalPages(null);
const payButtonId = loadPayButton();

let wx: EmulatedWx;
let uninstall: () => void;
let warn: jest.SpyInstance;

/** Before 2.22.1 a plugin has no wx.requestPluginPayment: the navigator route. */
const BEFORE_PLUGIN_PAYMENT = '2.21.4';

/**
 * The plugin's own wx, as WeChat gives it to the pay-button: only what plugins may use, at the
 * chosen base library. No request leaves these tests: the sandbox URL only has to be well-formed.
 */
type PluginWxOptions = { platform?: 'ios' | 'devtools'; baseLibrary?: string; language?: string };

/** English unless a test says otherwise: most assertions below read the English words. */
function pluginWx(options: PluginWxOptions = {}) {
  return createWx({
    sandboxUrl: 'http://127.0.0.1:9',
    user: 'alice',
    context: 'plugin',
    baseLibrary: BEFORE_PLUGIN_PAYMENT,
    language: 'en_US',
    ...options,
  });
}

function useWx(options: PluginWxOptions = {}) {
  uninstall();
  wx = pluginWx(options);
  uninstall = installWx(wx);
}

beforeEach(() => {
  wx = pluginWx();
  uninstall = installWx(wx);
  resetNavigatorTaps();
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  uninstall();
  warn.mockRestore();
});

const ORDER = { orderNo: 'ORDER20260001' };

/** Taps, lets the tap settle, then runs `body` under fake timers (simulate needs real ones first). */
async function afterTapWithFakeTimers(
  payButton: Parameters<typeof tapPayButton>[0],
  body: () => Promise<void>,
): Promise<void> {
  tapPayButton(payButton);
  await settle();
  jest.useFakeTimers();
  try {
    await body();
  } finally {
    jest.useRealTimers();
  }
}

describe('rendering', () => {
  test('a valid fee renders a ready button labelled with what it pays', () => {
    const { payButton } = renderHost(payButtonId, { fee: 1234, paymentArgs: ORDER });
    expect(payButton.data.state).toBe('ready');
    expect(payButton.data.faceText).toBe('¥12.34');
    expect(payButton.data.ariaLabel).toBe('Pay ¥12.34');
    expect(payButton.data.notice).toBe('');
    expect(textOf(payButton.querySelector('.pay-button__amount'))).toBe('¥12.34');
    expect(payButton.querySelector('.pay-button__notice')).toBeUndefined();
    expect(payButton.querySelector('.pay-button__spinner')).toBeUndefined();
    expect(classOf(payButton.querySelector('.pay-button'))).toContain('pay-button--ready');
    expect(warn).not.toHaveBeenCalled();
  });

  test('slot content precedes the amount; customFace replaces it', () => {
    const prefixed = renderHost(payButtonId, { fee: 990, paymentArgs: ORDER }, 'Pay now');
    expect(textOf(prefixed.payButton)).toContain('Pay now');
    expect(textOf(prefixed.payButton)).toContain('¥9.90');
    const custom = renderHost(
      payButtonId,
      { fee: 990, paymentArgs: ORDER, customFace: true },
      'Checkout',
    );
    expect(textOf(custom.payButton)).toContain('Checkout');
    expect(textOf(custom.payButton)).not.toContain('¥9.90');
    expect(custom.payButton.data.ariaLabel).toBe('Pay ¥9.90');
  });

  test('currency symbol and label follow the properties', () => {
    const { payButton } = renderHost(payButtonId, {
      fee: 100_000_000,
      paymentArgs: ORDER,
      currencyType: 'USD',
      label: '支付',
    });
    expect(payButton.data.faceText).toBe('US$1,000,000.00');
    expect(payButton.data.ariaLabel).toBe('支付 US$1,000,000.00');
  });

  test('version defaults to the build configuration', () => {
    const { payButton, navigator } = renderHost(payButtonId, { fee: 1, paymentArgs: ORDER });
    expect(payButton.data.version).toBe(FUNCTIONAL_PAGE_VERSION);
    expect(navigator.data.version).toBe(FUNCTIONAL_PAGE_VERSION);
  });

  test('disabled: greyed, says so, and a tap starts nothing', async () => {
    const { payButton, events } = renderHost(payButtonId, {
      fee: 1234,
      paymentArgs: ORDER,
      disabled: true,
    });
    expect(payButton.data.state).toBe('disabled');
    expect(payButton.data.ariaLabel).toBe('Pay ¥12.34: unavailable');
    expect(classOf(payButton.querySelector('.pay-button'))).toContain('pay-button--disabled');
    tapPayButton(payButton);
    await settle();
    expect(navigatorTaps()).toHaveLength(0);
    expect(events).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  const invalidFees: Array<[string, Record<string, unknown>, RegExp]> = [
    ['missing', {}, /fee is missing/],
    ['null', { fee: null }, /fee is missing/],
    ['zero', { fee: 0 }, /fee must be positive, got 0/],
    ['negative', { fee: -100 }, /fee must be positive, got -100/],
    ['fractional', { fee: 12.5 }, /whole number of fen, got 12.5/],
    ['NaN', { fee: NaN }, /fee is NaN/],
    ['Infinity', { fee: Infinity }, /finite/],
    ['a string', { fee: '1234' }, /must be a number of fen, got string "1234"/],
    ['an object', { fee: { amount: 1 } }, /must be a number of fen, got object/],
    ['above the limit', { fee: 100_000_001 }, /above the limit of 100000000 fen/],
  ];

  test.each(invalidFees)(
    'fee %s: disabled, explained, one warning',
    async (_name, props, reason) => {
      const { payButton, navigator, events } = renderHost(payButtonId, {
        paymentArgs: ORDER,
        ...props,
      });
      expect(payButton.data.state).toBe('invalid');
      // The shopper reads that it cannot pay; the developer's reason is data and a warning.
      expect(payButton.data.problem).toMatch(reason);
      expect(payButton.data.notice).toBe('Payment unavailable');
      expect(payButton.data.ariaLabel).toBe('Pay: payment unavailable');
      expect(textOf(payButton.querySelector('.pay-button__notice'))).toBe('Payment unavailable');
      expect(payButton.data.navArgs).toBeNull();
      expect(navigator.data.args).toBeNull();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(reason);
      tapPayButton(payButton);
      await settle();
      expect(navigatorTaps()).toHaveLength(0);
      expect(events).toEqual([]);
    },
  );

  test.each([
    [
      'paymentArgs is an array',
      { paymentArgs: ['ORDER20260001'] },
      /paymentArgs must be an object/,
    ],
    ['paymentArgs is a string', { paymentArgs: 'ORDER20260001' }, /paymentArgs must be an object/],
    ['version is unknown', { version: 'beta' }, /version must be one of release, trial, develop/],
    ['currencyType is unknown', { currencyType: 'XBT' }, /currencyType XBT is not supported/],
  ])('%s: disabled and explained', (_name, props, reason) => {
    const { payButton } = renderHost(payButtonId, { fee: 1234, paymentArgs: ORDER, ...props });
    expect(payButton.data.state).toBe('invalid');
    expect(payButton.data.problem).toMatch(reason);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  test('one warning per bad value, none again for the same value, none once fixed', () => {
    const { root, payButton } = renderHost(payButtonId, { fee: 0, paymentArgs: ORDER });
    root.setData({ fee: 0 });
    root.setData({ paymentArgs: { orderNo: 'ORDER20260002' } });
    expect(warn).toHaveBeenCalledTimes(1);
    root.setData({ fee: -1 });
    expect(warn).toHaveBeenCalledTimes(2);
    root.setData({ fee: 1234 });
    expect(payButton.data.state).toBe('ready');
    expect(payButton.data.notice).toBe('');
    expect(warn).toHaveBeenCalledTimes(2);
  });

  test('a fee that arrives later enables the button', () => {
    const { root, payButton } = renderHost(payButtonId, { fee: undefined, paymentArgs: ORDER });
    expect(payButton.data.state).toBe('invalid');
    root.setData({ fee: 2599 });
    expect(payButton.data.state).toBe('ready');
    expect(payButton.data.faceText).toBe('¥25.99');
  });
});

describe('navigator route (no wx.requestPluginPayment)', () => {
  test('the navigator gets name, version and exactly { fee, paymentArgs }', () => {
    const paymentArgs = { orderNo: 'ORDER20260001', coupon: { id: 7 } };
    const { navigator } = renderHost(payButtonId, { fee: 1234, paymentArgs, version: 'trial' });
    expect(navigator.data.name).toBe('requestPayment');
    expect(navigator.data.version).toBe('trial');
    expect(navigator.data.args).toEqual({ fee: 1234, paymentArgs });
    expect(Object.keys(navigator.data.args as object).sort()).toEqual(['fee', 'paymentArgs']);
  });

  test('missing paymentArgs become {} (optional in WeChat)', () => {
    const { navigator } = renderHost(payButtonId, { fee: 1234 });
    expect(navigator.data.args).toEqual({ fee: 1234, paymentArgs: {} });
  });

  test('a tap jumps once and shows the busy state; a second tap does nothing', async () => {
    const { payButton } = renderHost(payButtonId, { fee: 1234, paymentArgs: ORDER });
    tapPayButton(payButton);
    await settle();
    expect(navigatorTaps()).toHaveLength(1);
    expect(navigatorTaps()[0]).toEqual({
      name: 'requestPayment',
      version: FUNCTIONAL_PAGE_VERSION,
      args: { fee: 1234, paymentArgs: ORDER },
    });
    expect(payButton.data.state).toBe('busy');
    expect(payButton.data.ariaLabel).toBe('Pay ¥12.34: payment in progress');
    expect(payButton.querySelector('.pay-button__spinner')).toBeDefined();
    expect(payButton.querySelector('.pay-button__guard')).toBeDefined();
    tapPayButton(payButton);
    tapPayButton(payButton);
    await settle();
    expect(navigatorTaps()).toHaveLength(1);
  });

  const navigatorCases: Array<[string, string, object, string, object]> = [
    [
      'success with extraData → success',
      'success',
      { errMsg: 'requestPayment:ok', extraData: { timeStamp: '1700000000' } },
      'success',
      { errMsg: 'requestPayment:ok', extraData: { timeStamp: '1700000000' } },
    ],
    [
      'success → success',
      'success',
      { errMsg: 'requestPayment:ok' },
      'success',
      { errMsg: 'requestPayment:ok' },
    ],
    [
      'fail cancel → cancel',
      'fail',
      { errMsg: 'requestPayment:fail cancel' },
      'cancel',
      { errMsg: 'requestPayment:fail cancel' },
    ],
    [
      'fail → fail',
      'fail',
      { errMsg: 'requestPayment:fail order expired' },
      'fail',
      { errMsg: 'requestPayment:fail order expired' },
    ],
    ['fail without errMsg → fail', 'fail', {}, 'fail', { errMsg: 'requestPayment:fail' }],
    ['cancel → cancel', 'cancel', {}, 'cancel', { errMsg: 'requestPayment:fail cancel' }],
  ];

  test.each(navigatorCases)(
    'navigator %s',
    async (_name, navigatorEvent, navigatorDetail, hostEvent, hostDetail) => {
      const { payButton, navigator, events } = renderHost(payButtonId, {
        fee: 1234,
        paymentArgs: ORDER,
      });
      tapPayButton(payButton);
      await settle();
      expect(payButton.data.state).toBe('busy');
      navigator.dispatchEvent(navigatorEvent, { detail: navigatorDetail });
      await settle();
      expect(events).toEqual([{ type: hostEvent, detail: hostDetail }]);
      expect(payButton.data.state).toBe('ready');
    },
  );

  test('after an outcome the button can pay again', async () => {
    const { payButton, navigator, events } = renderHost(payButtonId, {
      fee: 1234,
      paymentArgs: ORDER,
    });
    tapPayButton(payButton);
    await settle();
    navigator.dispatchEvent('fail', { detail: { errMsg: 'requestPayment:fail cancel' } });
    await settle();
    tapPayButton(payButton);
    await settle();
    expect(navigatorTaps()).toHaveLength(2);
    navigator.dispatchEvent('success', { detail: { errMsg: 'requestPayment:ok' } });
    await settle();
    expect(events.map((e) => e.type)).toEqual(['cancel', 'success']);
  });

  test('back on the page with no result: busy is released after the grace period, no event', async () => {
    const { root, payButton, events } = renderHost(payButtonId, { fee: 1234, paymentArgs: ORDER });
    await afterTapWithFakeTimers(payButton, async () => {
      pageLifetime(root, 'hide');
      pageLifetime(root, 'show');
      jest.advanceTimersByTime(RETURN_GRACE_MS - 1);
      expect(payButton.data.state).toBe('busy');
      jest.advanceTimersByTime(1);
      expect(payButton.data.state).toBe('ready');
    });
    expect(events).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/without a payment result/));
  });

  test('no release while the page was never left (the jump is still opening)', async () => {
    const { root, payButton } = renderHost(payButtonId, { fee: 1234, paymentArgs: ORDER });
    await afterTapWithFakeTimers(payButton, async () => {
      pageLifetime(root, 'show');
      jest.advanceTimersByTime(RETURN_GRACE_MS * 10);
      expect(payButton.data.state).toBe('busy');
    });
  });

  test('a result arriving in the grace period wins and cancels the release', async () => {
    const { root, payButton, navigator, events } = renderHost(payButtonId, {
      fee: 1234,
      paymentArgs: ORDER,
    });
    await afterTapWithFakeTimers(payButton, async () => {
      pageLifetime(root, 'hide');
      pageLifetime(root, 'show');
      navigator.dispatchEvent('success', { detail: { errMsg: 'requestPayment:ok' } });
      // simulate delivers custom events on promise jobs, which fake timers leave alone.
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
      expect(events).toEqual([{ type: 'success', detail: { errMsg: 'requestPayment:ok' } }]);
      jest.advanceTimersByTime(RETURN_GRACE_MS * 2);
    });
    expect(payButton.data.state).toBe('ready');
    expect(warn).not.toHaveBeenCalled();
  });

  test("the host can reset a stuck button through the component's export", async () => {
    const { root, payButton } = renderHost(payButtonId, { fee: 1234, paymentArgs: ORDER });
    tapPayButton(payButton);
    await settle();
    expect(payButton.data.state).toBe('busy');
    const exported = root.instance.selectComponent('#pb') as unknown as { reset(): void };
    exported.reset();
    expect(payButton.data.state).toBe('ready');
  });
});

describe('wx.requestPluginPayment route', () => {
  type PluginPaymentCall = WechatMiniprogram.RequestPluginPaymentOption;
  let calls: PluginPaymentCall[];

  beforeEach(() => {
    calls = [];
    useWx({ baseLibrary: '2.22.1' });
    // WeChat's side of the API, recorded: what the button asks for is the subject here.
    wx.requestPluginPayment = (option) => {
      calls.push(option);
    };
  });

  test("the plugin's wx has no canIUse: the API's presence decides, from 2.22.1", () => {
    expect('canIUse' in wx).toBe(false);
    expect(typeof pluginWx({ baseLibrary: '2.22.1' }).requestPluginPayment).toBe('function');
    expect('requestPluginPayment' in pluginWx({ baseLibrary: '2.22.0' })).toBe(false);
  });

  test('a tap calls it once with version, fee, paymentArgs, currencyType and never jumps', async () => {
    const { payButton } = renderHost(payButtonId, {
      fee: 1234,
      paymentArgs: ORDER,
      version: 'release',
      currencyType: 'HKD',
    });
    tapPayButton(payButton);
    tapPayButton(payButton);
    await settle();
    tapPayButton(payButton);
    await settle();
    expect(calls).toHaveLength(1);
    const { success, fail, complete, ...args } = calls[0] as PluginPaymentCall;
    expect(args).toEqual({
      version: 'release',
      fee: 1234,
      paymentArgs: ORDER,
      currencyType: 'HKD',
    });
    expect(typeof success).toBe('function');
    expect(typeof fail).toBe('function');
    expect(complete).toBeUndefined();
    expect(navigatorTaps()).toHaveLength(0);
    expect(payButton.data.state).toBe('busy');
  });

  const pluginCases: Array<[string, 'success' | 'fail', object, string, object]> = [
    [
      'success → success',
      'success',
      { errMsg: 'requestPluginPayment:ok', extraData: { a: 1 } },
      'success',
      { errMsg: 'requestPluginPayment:ok', extraData: { a: 1 } },
    ],
    [
      'fail cancel → cancel',
      'fail',
      { errMsg: 'requestPluginPayment:fail cancel' },
      'cancel',
      { errMsg: 'requestPluginPayment:fail cancel' },
    ],
    [
      'fail → fail',
      'fail',
      { errMsg: 'requestPluginPayment:fail system error' },
      'fail',
      { errMsg: 'requestPluginPayment:fail system error' },
    ],
  ];

  test.each(pluginCases)(
    'requestPluginPayment %s',
    async (_name, callback, res, hostEvent, hostDetail) => {
      const { payButton, events } = renderHost(payButtonId, { fee: 1234, paymentArgs: ORDER });
      tapPayButton(payButton);
      await settle();
      const call = calls[0] as PluginPaymentCall;
      if (callback === 'success') call.success?.(res as WechatMiniprogram.GeneralCallbackResult);
      else call.fail?.(res as WechatMiniprogram.GeneralCallbackResult);
      // A misbehaving client answering twice still gives the host one event.
      call.fail?.({ errMsg: 'requestPluginPayment:fail again' });
      await settle();
      expect(events).toEqual([{ type: hostEvent, detail: hostDetail }]);
      expect(payButton.data.state).toBe('ready');
    },
  );

  test('a throwing requestPluginPayment becomes a fail event', async () => {
    wx.requestPluginPayment = () => {
      throw new Error('not allowed here');
    };
    const { payButton, events } = renderHost(payButtonId, { fee: 1234, paymentArgs: ORDER });
    tapPayButton(payButton);
    await settle();
    expect(events).toEqual([
      { type: 'fail', detail: { errMsg: 'requestPluginPayment:fail not allowed here' } },
    ]);
    expect(payButton.data.state).toBe('ready');
  });
});

describe('WeChat DevTools (development build: pays at the local sandbox)', () => {
  // Release builds refuse in DevTools instead: test/plugin/release-build.test.ts.
  function devtools() {
    useWx({ platform: 'devtools', baseLibrary: '3.7.0' });
    // No sandbox behind it here: the payer's first call fails, deterministically.
    routeRequests(wx, SANDBOX_URL, 'http://127.0.0.1:9');
  }

  test('a tap goes to the sandbox payer, never the navigator or requestPluginPayment', async () => {
    devtools();
    let called = 0;
    wx.requestPluginPayment = () => {
      called += 1;
    };
    const { payButton, events } = renderHost(payButtonId, { fee: 1234, paymentArgs: ORDER });
    expect(payButton.data.guard).toBe(true);
    tapPayButton(payButton);
    await waitFor(() => events.length > 0);
    expect(called).toBe(0);
    expect(navigatorTaps()).toHaveLength(0);
    expect(events).toEqual([
      {
        type: 'fail',
        detail: {
          errMsg: expect.stringMatching(
            /^requestPayment:fail .*\/sandbox\/login-code: request:fail/,
          ),
        },
      },
    ]);
    expect(payButton.data.state).toBe('ready');
    expect(payButton.data.notice).toBe(BUTTON_MESSAGES.en.sandboxNotice);
    expect(wx.emulator.modals).toHaveLength(0);
  });
});

describe('in Chinese (WeChat in Chinese, the default)', () => {
  test('face, accessible labels and notices follow the plugin’s own WeChat language', () => {
    useWx({ language: 'zh_CN' });
    const { payButton } = renderHost(payButtonId, { fee: 1234, paymentArgs: ORDER });
    expect(payButton.data).toMatchObject({ faceLabel: '支付', faceText: '¥12.34' });
    expect(payButton.data.ariaLabel).toBe('支付 ¥12.34');
    expect(textOf(payButton.querySelector('.pay-button__label'))).toBe('支付');
    const off = renderHost(payButtonId, { fee: 1234, paymentArgs: ORDER, disabled: true });
    expect(off.payButton.data.ariaLabel).toBe('支付 ¥12.34，暂不可用');
    const bad = renderHost(payButtonId, { fee: '12.34', paymentArgs: ORDER }).payButton;
    expect(bad.data.state).toBe('invalid');
    expect(textOf(bad.querySelector('.pay-button__notice'))).toBe('暂时无法支付');
    expect(bad.data.ariaLabel).toBe('支付，暂时无法支付');
    // The developer still gets the reason, in English, in the console.
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/fee must be a number of fen/);
  });

  test('busy says so in Chinese', async () => {
    useWx({ language: 'zh_TW', baseLibrary: '3.7.0' });
    wx.requestPluginPayment = () => undefined;
    const { payButton } = renderHost(payButtonId, { fee: 990, paymentArgs: ORDER });
    tapPayButton(payButton);
    await waitFor(() => payButton.data.state === 'busy');
    expect(payButton.data.ariaLabel).toBe('支付 ¥9.90，正在支付');
  });

  test('an English-speaking host label wins over the language', () => {
    useWx({ language: 'zh_CN' });
    const { payButton } = renderHost(payButtonId, { fee: 990, paymentArgs: ORDER, label: 'Buy' });
    expect(payButton.data.faceLabel).toBe('Buy');
    expect(payButton.data.ariaLabel).toBe('Buy ¥9.90');
  });

  test('older base libraries: the language comes from getSystemInfoSync', () => {
    // A plugin gets getAppBaseInfo from 2.21.3 only.
    useWx({ language: 'en', baseLibrary: '2.21.2' });
    expect(typeof wx.getAppBaseInfo).toBe('undefined');
    const { payButton } = renderHost(payButtonId, { fee: 990, paymentArgs: ORDER });
    expect(payButton.data.faceLabel).toBe('Pay');
  });
});
