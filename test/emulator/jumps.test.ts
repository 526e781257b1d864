/**
 * Jumps between mini programs on one emulated phone, with WeChat's rules: a tap first, the
 * confirmation dialog, scene 1037 on the way there and 1038 on the way back, extraData lost
 * from onHide or on a swipe, Android's stale scene, and the half-screen conditions.
 */
import { createWx } from '../../dev/emulator';
import type { CreateWxOptions, EmulatedWx, EnterOptions } from '../../dev/emulator';

const OPENER = 'wxopener0000000001';
const CASHIER = 'wxcashier000000001';
// Nothing listens there: wx.requestPayment fails at once, which is still a payment callback.
const SANDBOX = 'http://127.0.0.1:9';

type Answer = { ok: boolean; errMsg: string };

function opener(options: Partial<CreateWxOptions> = {}): EmulatedWx {
  return createWx({ sandboxUrl: SANDBOX, user: 'alice', appid: OPENER, ...options });
}

/** Calls a callback-style API (optionally inside a tap) and resolves with how it answered. */
function call(
  wx: EmulatedWx,
  fn: (cb: { success(r: { errMsg: string }): void; fail(r: { errMsg: string }): void }) => void,
  { tapped = true } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const cb = {
      success: (r: { errMsg: string }) => resolve({ ok: true, errMsg: r.errMsg }),
      fail: (r: { errMsg: string }) => resolve({ ok: false, errMsg: r.errMsg }),
    };
    if (tapped) wx.emulator.tap(() => fn(cb));
    else fn(cb);
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

/** The opener's App / wx.onAppShow / page events, in the order they ran. */
function watch(wx: EmulatedWx) {
  const events: string[] = [];
  const shows: EnterOptions[] = [];
  const hides: unknown[] = [];
  wx.emulator.setApp({ onShow: () => events.push('App.onShow') });
  wx.onAppShow((o) => {
    events.push('onAppShow');
    shows.push(o);
  });
  wx.onAppHide((o) => hides.push(o));
  wx.emulator.setPage({
    onShow: () => events.push(`page.onShow ${wx.getEnterOptionsSync().scene}`),
    onHide: () => events.push('page.onHide'),
  });
  return { events, shows, hides };
}

/** A cashier mini program that records what WeChat handed it. */
function cashier(wx: EmulatedWx, onHide?: (w: EmulatedWx) => void) {
  const seen: { launch?: EnterOptions; enter?: EnterOptions } = {};
  const handle = wx.emulator.registerMiniProgram(CASHIER, {
    onLaunch(options, own) {
      seen.launch = options;
      seen.enter = own.getEnterOptionsSync();
    },
    ...(onHide ? { onHide: (_o: unknown, own: EmulatedWx) => onHide(own) } : {}),
  });
  return { handle, seen };
}

describe('wx.navigateToMiniProgram', () => {
  test('needs a user tap (2.3.0+), and only its synchronous part counts', async () => {
    const wx = opener();
    cashier(wx);
    const outside = await call(wx, (cb) => wx.navigateToMiniProgram({ appId: CASHIER, ...cb }), {
      tapped: false,
    });
    expect(outside).toEqual({
      ok: false,
      errMsg: 'navigateToMiniProgram:fail can only be invoked by user TAP gesture.',
    });
    const later = await call(wx, (cb) =>
      setTimeout(() => wx.navigateToMiniProgram({ appId: CASHIER, ...cb }), 0),
    );
    expect(later.errMsg).toMatch(/TAP gesture/);
    expect(wx.emulator.jumpDialogs).toEqual([]);
    expect(wx.emulator.jumps).toEqual([]);
  });

  test('below 2.3.0 neither a tap nor a dialog was asked for', async () => {
    const wx = opener({ baseLibrary: '2.2.0' });
    cashier(wx);
    const got = await call(wx, (cb) => wx.navigateToMiniProgram({ appId: CASHIER, ...cb }), {
      tapped: false,
    });
    expect(got).toEqual({ ok: true, errMsg: 'navigateToMiniProgram:ok' });
    expect(wx.emulator.jumpDialogs).toEqual([]);
  });

  test('the user cancels the confirmation dialog: fail cancel, nothing opens', async () => {
    const wx = opener({ jumpConfirmAnswers: ['cancel'] });
    const { handle } = cashier(wx);
    const { hides } = watch(wx);
    const got = await call(wx, (cb) => wx.navigateToMiniProgram({ appId: CASHIER, ...cb }));
    expect(got).toEqual({ ok: false, errMsg: 'navigateToMiniProgram:fail cancel' });
    expect(wx.emulator.jumpDialogs).toEqual([{ appId: CASHIER, answer: 'cancel' }]);
    expect(wx.emulator.jumps).toEqual([]);
    expect(handle.wx).toBeUndefined();
    expect(hides).toEqual([]);
  });

  test('there and back: 1037 with the opener as referrer, 1038 with the extraData returned', async () => {
    const wx = opener();
    const { handle, seen } = cashier(wx);
    const { events, shows, hides } = watch(wx);
    const got = await call(wx, (cb) =>
      wx.navigateToMiniProgram({
        appId: CASHIER,
        path: 'pages/pay/index?order=A1',
        extraData: { orderNo: 'A1', fee: 1 },
        ...cb,
      }),
    );
    expect(got).toEqual({ ok: true, errMsg: 'navigateToMiniProgram:ok' });
    const there = {
      path: 'pages/pay/index',
      query: { order: 'A1' },
      scene: 1037,
      referrerInfo: { appId: OPENER, extraData: { orderNo: 'A1', fee: 1 } },
      apiCategory: 'default',
    };
    expect(seen.launch).toEqual(there);
    expect(seen.enter).toEqual(there);
    expect(wx.emulator.jumps).toEqual([
      {
        kind: 'full-screen',
        appId: CASHIER,
        extraData: { orderNo: 'A1', fee: 1 },
        path: 'pages/pay/index?order=A1',
        at: expect.any(Number),
      },
    ]);
    expect(hides).toEqual([{ reason: 1 }]);
    expect(events).toEqual(['page.onHide']);

    const back = await call(handle.wx!, (cb) =>
      handle.wx!.navigateBackMiniProgram({ extraData: { paid: true }, ...cb }),
    );
    expect(back).toEqual({ ok: true, errMsg: 'navigateBackMiniProgram:ok' });
    const returned = {
      scene: 1038,
      referrerInfo: { appId: CASHIER, extraData: { paid: true } },
      apiCategory: 'default',
    };
    expect(shows).toEqual([expect.objectContaining(returned)]);
    expect(wx.getEnterOptionsSync()).toMatchObject(returned);
    expect(wx.getLaunchOptionsSync()).toMatchObject({ scene: 1001, referrerInfo: {} });
    expect(events).toEqual(['page.onHide', 'App.onShow', 'onAppShow', 'page.onShow 1038']);
    // The cashier stays alive in the background; only a mini program opened by another may go back.
    expect(handle.runtime.state).toBe('background');
    expect((await call(wx, (cb) => wx.navigateBackMiniProgram(cb))).errMsg).toBe(
      'navigateBackMiniProgram:fail not opened by another mini program',
    );
  });

  test("showOrder 'page-first' runs the page's onShow before the App's", async () => {
    const wx = opener({ showOrder: 'page-first' });
    const { handle } = cashier(wx);
    const { events } = watch(wx);
    await call(wx, (cb) => wx.navigateToMiniProgram({ appId: CASHIER, ...cb }));
    await call(handle.wx!, (cb) => handle.wx!.navigateBackMiniProgram(cb));
    expect(events).toEqual(['page.onHide', 'page.onShow 1038', 'App.onShow', 'onAppShow']);
  });

  test('offAppShow removes that listener, or all of them without one', async () => {
    const wx = opener();
    const { handle } = cashier(wx);
    const calls: string[] = [];
    const a = () => calls.push('a');
    wx.onAppShow(a);
    wx.onAppShow(() => calls.push('b'));
    wx.offAppShow(a);
    await call(wx, (cb) => wx.navigateToMiniProgram({ appId: CASHIER, ...cb }));
    await call(handle.wx!, (cb) => handle.wx!.navigateBackMiniProgram(cb));
    expect(calls).toEqual(['b']);
    wx.offAppShow();
    wx.emulator.background();
    wx.emulator.foreground();
    expect(calls).toEqual(['b']);
  });
});

describe('coming back without the data', () => {
  test('the user swipes the target away: 1038 from the target, no extraData', async () => {
    const wx = opener();
    cashier(wx);
    const { shows } = watch(wx);
    await call(wx, (cb) => wx.navigateToMiniProgram({ appId: CASHIER, ...cb }));
    wx.emulator.swipeAway(CASHIER);
    expect(shows).toEqual([
      expect.objectContaining({ scene: 1038, referrerInfo: { appId: CASHIER } }),
    ]);
    expect(wx.emulator.phone.returns).toEqual([
      { from: CASHIER, to: OPENER, how: 'swipe-away', at: expect.any(Number) },
    ]);
  });

  test('navigateBackMiniProgram from onHide answers ok, but its extraData never arrives', async () => {
    const wx = opener();
    let answered: string | undefined;
    cashier(wx, (own) =>
      own.navigateBackMiniProgram({
        extraData: { paid: true },
        success: (r) => (answered = r.errMsg),
      }),
    );
    const { shows } = watch(wx);
    await call(wx, (cb) =>
      wx.navigateToMiniProgram({ appId: CASHIER, extraData: { a: 1 }, ...cb }),
    );
    wx.emulator.swipeAway(CASHIER);
    await settle();
    expect(answered).toBe('navigateBackMiniProgram:ok');
    expect(shows).toHaveLength(1);
    expect(shows[0]?.referrerInfo).toEqual({ appId: CASHIER });
    expect(wx.emulator.phone.returns[0]).toMatchObject({ how: 'swipe-away', extraDataLost: true });
  });
});

describe('a later, unrelated show', () => {
  async function returnThenReopen(platform: 'ios' | 'android') {
    const wx = opener({ platform });
    const { handle } = cashier(wx);
    const { shows } = watch(wx);
    await call(wx, (cb) => wx.navigateToMiniProgram({ appId: CASHIER, ...cb }));
    await call(handle.wx!, (cb) =>
      handle.wx!.navigateBackMiniProgram({ extraData: { paid: true }, ...cb }),
    );
    wx.emulator.background();
    wx.emulator.foreground();
    return shows;
  }

  test('Android repeats the stale 1038 and referrerInfo of the last return', async () => {
    const shows = await returnThenReopen('android');
    expect(shows).toHaveLength(2);
    expect(shows[1]).toMatchObject({
      scene: 1038,
      referrerInfo: { appId: CASHIER, extraData: { paid: true } },
    });
  });

  test('iOS reports the entry used (1001 here) with no referrerInfo', async () => {
    const shows = await returnThenReopen('ios');
    expect(shows[1]).toMatchObject({ scene: 1001, referrerInfo: {} });
  });
});

describe('wx.openEmbeddedMiniProgram (half-screen)', () => {
  test('an approved target opens half-screen, with no dialog, and sees apiCategory embedded', async () => {
    const wx = opener({ embeddedAppIds: [CASHIER] });
    const { seen } = cashier(wx);
    const got = await call(wx, (cb) =>
      wx.openEmbeddedMiniProgram({
        appId: CASHIER,
        extraData: { o: 1 },
        allowFullScreen: true,
        ...cb,
      }),
    );
    expect(got).toEqual({ ok: true, errMsg: 'openEmbeddedMiniProgram:ok' });
    expect(wx.emulator.jumpDialogs).toEqual([]);
    expect(wx.emulator.jumps).toEqual([
      { kind: 'embedded', appId: CASHIER, extraData: { o: 1 }, path: '', at: expect.any(Number) },
    ]);
    expect(seen.enter).toMatchObject({ scene: 1037, apiCategory: 'embedded' });
  });

  test.each([
    ['not approved', {}, 'not-approved'],
    ['landscape', { embeddedAppIds: [CASHIER], orientation: 'landscape' as const }, 'landscape'],
    [
      'below 2.23.1 and not in embeddedAppIdList',
      { embeddedAppIds: [CASHIER], baseLibrary: '2.23.0' },
      'not-declared',
    ],
  ])('%s: silently a full-screen jump, with its dialog', async (_why, options, reason) => {
    const wx = opener(options);
    const { seen } = cashier(wx);
    const got = await call(wx, (cb) => wx.openEmbeddedMiniProgram({ appId: CASHIER, ...cb }));
    expect(got.ok).toBe(true);
    expect(wx.emulator.jumpDialogs).toEqual([{ appId: CASHIER, answer: 'confirm' }]);
    expect(wx.emulator.jumps).toEqual([
      { kind: 'fallback', appId: CASHIER, path: '', at: expect.any(Number), reason },
    ]);
    expect(seen.enter).toMatchObject({ scene: 1037, apiCategory: 'default' });
  });

  test('a fallback the user cancels fails with cancel', async () => {
    const wx = opener({ jumpConfirmAnswers: ['cancel'] });
    cashier(wx);
    const got = await call(wx, (cb) => wx.openEmbeddedMiniProgram({ appId: CASHIER, ...cb }));
    expect(got).toEqual({ ok: false, errMsg: 'openEmbeddedMiniProgram:fail cancel' });
  });

  test('only from a tap handler, synchronously', async () => {
    const wx = opener({ embeddedAppIds: [CASHIER] });
    cashier(wx);
    const outside = await call(wx, (cb) => wx.openEmbeddedMiniProgram({ appId: CASHIER, ...cb }), {
      tapped: false,
    });
    expect(outside.errMsg).toBe(
      'openEmbeddedMiniProgram:fail can only be invoked by user TAP gesture.',
    );
    const later = await call(wx, (cb) =>
      Promise.resolve().then(() => wx.openEmbeddedMiniProgram({ appId: CASHIER, ...cb })),
    );
    expect(later.ok).toBe(false);
  });

  test('a half-screen mini program cannot open another one half-screen', async () => {
    const wx = opener({ embeddedAppIds: [CASHIER] });
    const { handle } = cashier(wx);
    await call(wx, (cb) => wx.openEmbeddedMiniProgram({ appId: CASHIER, ...cb }));
    const own = handle.wx!;
    const got = await call(own, (cb) => own.openEmbeddedMiniProgram({ appId: OPENER, ...cb }));
    expect(got.ok).toBe(false);
  });

  test.each([
    ['3.3.5', false],
    ['3.3.4', true],
  ])('inside a wx.requestPayment callback at %s: allowed %s', async (baseLibrary, allowed) => {
    const wx = opener({ baseLibrary, embeddedAppIds: [CASHIER] });
    cashier(wx);
    const got = await new Promise<Answer>((resolve) => {
      const after = () =>
        wx.openEmbeddedMiniProgram({
          appId: CASHIER,
          success: (r) => resolve({ ok: true, errMsg: r.errMsg }),
          fail: (r) => resolve({ ok: false, errMsg: r.errMsg }),
        });
      wx.requestPayment({
        timeStamp: '1',
        nonceStr: 'n',
        package: 'prepay_id=x',
        signType: 'RSA',
        paySign: 's',
        success: after,
        fail: after,
      });
    });
    expect(got).toEqual(
      allowed
        ? { ok: true, errMsg: 'openEmbeddedMiniProgram:ok' }
        : {
            ok: false,
            errMsg: 'openEmbeddedMiniProgram:fail openEmbeddedMiniProgram forbidden after payment',
          },
    );
  });
});

describe('jumps from a plugin', () => {
  function pluginOn(host: EmulatedWx, options: Partial<CreateWxOptions>) {
    return createWx({
      sandboxUrl: SANDBOX,
      user: 'alice',
      context: 'plugin',
      hostAppId: OPENER,
      phone: host.emulator.phone,
      ...options,
    });
  }

  test('a plugin component is refused, like its route calls', async () => {
    const host = opener({ embeddedAppIds: [CASHIER] });
    cashier(host);
    const plugin = pluginOn(host, { pluginSurface: 'component' });
    for (const api of ['openEmbeddedMiniProgram', 'navigateToMiniProgram'] as const) {
      const got = await call(plugin, (cb) => plugin[api]!({ appId: CASHIER, ...cb }));
      expect(got.errMsg).toBe(`${api}:fail rejected due to no permission currently in plugin`);
    }
  });

  test('a plugin page at 2.26.2 opens half-screen; its host hides and comes back', async () => {
    const host = opener({ baseLibrary: '2.26.2' });
    const { handle, seen } = cashier(host);
    const { shows, hides } = watch(host);
    const plugin = pluginOn(host, {
      pluginSurface: 'page',
      baseLibrary: '2.26.2',
      embeddedAppIds: [CASHIER],
    });
    expect('onAppShow' in plugin).toBe(false);
    const got = await call(plugin, (cb) =>
      plugin.openEmbeddedMiniProgram!({ appId: CASHIER, ...cb }),
    );
    expect(got.ok).toBe(true);
    expect(plugin.emulator.jumps).toMatchObject([{ kind: 'embedded', appId: CASHIER }]);
    expect(seen.enter).toMatchObject({ referrerInfo: { appId: OPENER }, apiCategory: 'embedded' });
    expect(hides).toHaveLength(1);
    await call(handle.wx!, (cb) =>
      handle.wx!.navigateBackMiniProgram({ extraData: { ok: 1 }, ...cb }),
    );
    expect(shows[0]).toMatchObject({
      scene: 1038,
      referrerInfo: { appId: CASHIER, extraData: { ok: 1 } },
    });
    // A plugin reads its host's options (2.9.4+).
    expect(plugin.getEnterOptionsSync!().scene).toBe(1038);
  });

  test("a plugin page opens with its host's approval, and both see one record", async () => {
    const host = opener({ embeddedAppIds: [CASHIER] });
    cashier(host);
    const plugin = pluginOn(host, { pluginSurface: 'page' });
    const got = await call(plugin, (cb) =>
      plugin.openEmbeddedMiniProgram!({ appId: CASHIER, ...cb }),
    );
    expect(got.ok).toBe(true);
    // The approval is the host's (半屏小程序管理 of the mini program the plugin runs in).
    expect(host.emulator.jumps).toMatchObject([{ kind: 'embedded', appId: CASHIER }]);
    expect(plugin.emulator.jumps).toBe(host.emulator.jumps);
    expect(plugin.emulator.embeddedAppIds).toEqual([CASHIER]);
  });

  test('a host without the approval: the plugin page falls back to full screen', async () => {
    const host = opener();
    cashier(host);
    const plugin = pluginOn(host, { pluginSurface: 'page' });
    const got = await call(plugin, (cb) =>
      plugin.openEmbeddedMiniProgram!({ appId: CASHIER, ...cb }),
    );
    expect(got.ok).toBe(true);
    expect(host.emulator.jumps).toMatchObject([{ kind: 'fallback', reason: 'not-approved' }]);
    expect(host.emulator.jumpDialogs).toEqual([{ appId: CASHIER, answer: 'confirm' }]);
  });

  test('below 2.26.2 a plugin page has no openEmbeddedMiniProgram; from 2.18.1 it may navigate', () => {
    const host = opener();
    const old = pluginOn(host, { pluginSurface: 'page', baseLibrary: '2.26.1' });
    expect('openEmbeddedMiniProgram' in old).toBe(false);
    expect(typeof old.navigateToMiniProgram).toBe('function');
    expect('navigateToMiniProgram' in pluginOn(host, { baseLibrary: '2.18.0' })).toBe(false);
  });
});
