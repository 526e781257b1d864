/** The emulated wx speaks WeChat's callback shapes over real HTTP. */
import { createWx, installWx } from '../../dev/emulator';
import type { EmulatedWx } from '../../dev/emulator';
import { closedPortUrl, startEdge } from '../functional-pages/edge';
import type { Edge } from '../functional-pages/edge';

let edge: Edge;
let wx: EmulatedWx;

beforeEach(async () => {
  edge = await startEdge();
  wx = createWx({ sandboxUrl: edge.url, user: 'alice' });
});

afterEach(async () => {
  await edge.close();
});

type Result = { cb: 'success' | 'fail'; res: Record<string, unknown>; completed: boolean };

function request(option: Omit<WechatMiniprogram.RequestOption, 'success' | 'fail' | 'complete'>) {
  return new Promise<Result>((resolve) => {
    let result: Result | undefined;
    wx.request({
      ...option,
      success: (res) => {
        result = {
          cb: 'success',
          res: res as unknown as Record<string, unknown>,
          completed: false,
        };
      },
      fail: (res) => {
        result = { cb: 'fail', res: res as unknown as Record<string, unknown>, completed: false };
      },
      complete: () => {
        if (result !== undefined) resolve({ ...result, completed: true });
      },
    });
  });
}

describe('request', () => {
  test('POST sends JSON with the headers given; JSON answers are parsed', async () => {
    const got = await request({
      url: `${edge.url}/api/session`,
      method: 'POST',
      data: { code: 'abc' },
      header: { Authorization: 'Bearer t' },
    });
    expect(got.cb).toBe('success');
    expect(got.completed).toBe(true);
    expect(got.res).toMatchObject({
      statusCode: 200,
      errMsg: 'request:ok',
      data: { token: 'token-1', openid: 'o-alice', expiresIn: 7200 },
    });
    expect((got.res.header as Record<string, string>)['content-type']).toBe('application/json');
    expect(edge.requests[0]).toMatchObject({ body: '{"code":"abc"}', authorization: 'Bearer t' });
  });

  test('non-2xx is still success (WeChat leaves status to the caller); non-JSON stays text', async () => {
    edge.session = () => ({ status: 503, raw: 'down for maintenance' });
    const got = await request({ url: `${edge.url}/api/session`, method: 'POST', data: {} });
    expect(got.cb).toBe('success');
    expect(got.res).toMatchObject({ statusCode: 503, data: 'down for maintenance' });
  });

  test('GET data becomes the query string', async () => {
    await request({ url: `${edge.url}/api/catalog?x=1`, data: { a: 'b c', n: 2 } });
    expect(edge.requests[0]?.path).toBe('/api/catalog?x=1&a=b%20c&n=2');
    expect(wx.emulator.roundTripsByUrl).toEqual({ 'GET /api/catalog': 1 });
    expect(wx.emulator.roundTrips.other).toBe(1);
  });

  test('timeout → request:fail timeout (errno 5), then complete', async () => {
    edge.session = () => ({ body: {}, delayMs: 500 });
    const got = await request({ url: `${edge.url}/api/session`, method: 'POST', timeout: 50 });
    expect(got).toMatchObject({
      cb: 'fail',
      completed: true,
      res: { errMsg: 'request:fail timeout', errno: 5 },
    });
  });

  test('refused connection → request:fail with the reason', async () => {
    const got = await request({ url: `${await closedPortUrl()}/x`, method: 'GET' });
    expect(got.cb).toBe('fail');
    expect(got.res.errMsg).toBe('request:fail ECONNREFUSED');
  });

  test('abort → request:fail abort', async () => {
    edge.session = () => ({ body: {}, delayMs: 500 });
    const done = new Promise<string>((resolve) => {
      const task = wx.request({
        url: `${edge.url}/api/session`,
        method: 'POST',
        fail: (err) => resolve(err.errMsg),
      });
      setTimeout(() => task.abort(), 20);
    });
    expect(await done).toBe('request:fail abort');
  });

  test('round trips are counted by purpose', async () => {
    await request({ url: `${edge.url}/api/session`, method: 'POST', data: {} });
    await request({ url: `${edge.url}/api/orders/ORDER20260001/pay`, method: 'POST', data: {} });
    expect(wx.emulator.roundTrips).toMatchObject({ session: 1, pay: 1, other: 0 });
    wx.emulator.resetRoundTrips();
    expect(wx.emulator.roundTrips.pay).toBe(0);
    expect(wx.emulator.roundTripsByUrl).toEqual({});
  });
});

describe('login', () => {
  test('mints a code for this user and remembers the openid', async () => {
    const res = await new Promise<WechatMiniprogram.LoginSuccessCallbackResult>((resolve, reject) =>
      wx.login({ success: resolve, fail: reject }),
    );
    expect(res).toEqual({ code: 'code-1', errMsg: 'login:ok' });
    expect(JSON.parse(edge.requests[0]?.body ?? '')).toEqual({ user: 'alice' });
    expect(wx.emulator.openid).toBe('o-alice');
    expect(wx.emulator.roundTrips.login).toBe(1);
  });

  test('sends the appid when one is set', async () => {
    wx = createWx({ sandboxUrl: edge.url, user: 'bob', appid: 'wx1234567890abcdef' });
    await new Promise((resolve) => wx.login({ complete: resolve }));
    expect(JSON.parse(edge.requests[0]?.body ?? '')).toEqual({
      user: 'bob',
      appid: 'wx1234567890abcdef',
    });
  });

  test('WeChat unreachable → login:fail', async () => {
    wx = createWx({ sandboxUrl: await closedPortUrl(), user: 'alice' });
    const err = await new Promise<WechatMiniprogram.GeneralCallbackResult>((resolve) =>
      wx.login({ fail: resolve }),
    );
    expect(err.errMsg).toMatch(/^login:fail /);
  });
});

describe('storage, UI and environment', () => {
  test("storage answers '' for a missing key and keeps JSON copies", () => {
    expect(wx.getStorageSync('k')).toBe('');
    const value = { a: [1, 2], at: new Date(0) };
    wx.setStorageSync('k', value);
    value.a.push(3);
    expect(wx.getStorageSync('k')).toEqual({ a: [1, 2], at: '1970-01-01T00:00:00.000Z' });
    wx.removeStorageSync('k');
    expect(wx.getStorageSync('k')).toBe('');
    expect(() => wx.setStorageSync('', 1)).toThrow(/key is empty/);
  });

  test('a shared storage map models one phone used by two emulators', () => {
    const storage = new Map<string, string>();
    const a = createWx({ sandboxUrl: edge.url, user: 'alice', storage });
    const b = createWx({ sandboxUrl: edge.url, user: 'alice', storage });
    a.setStorageSync('token', 't');
    expect(b.getStorageSync('token')).toBe('t');
  });

  test('showModal answers in the configured order, then confirms', async () => {
    wx = createWx({ sandboxUrl: edge.url, user: 'alice', modalAnswers: ['cancel'] });
    const ask = () =>
      new Promise<WechatMiniprogram.ShowModalSuccessCallbackResult>((resolve) =>
        wx.showModal({ title: 'Give up?', content: 'The order stays unpaid', success: resolve }),
      );
    expect(await ask()).toMatchObject({ confirm: false, cancel: true });
    expect(await ask()).toMatchObject({ confirm: true, cancel: false });
    expect(wx.emulator.modals.map((m) => m.answer)).toEqual(['cancel', 'confirm']);
  });

  test('navigation and toasts are recorded', () => {
    wx.navigateTo({ url: '/pages/a' });
    wx.redirectTo({ url: '/pages/pay-result/index?orderNo=X' });
    wx.navigateBack();
    wx.showToast({ title: 'Paid', icon: 'success' });
    expect(wx.emulator.navigations).toEqual([
      { kind: 'navigateTo', url: '/pages/a' },
      { kind: 'redirectTo', url: '/pages/pay-result/index?orderNo=X' },
      { kind: 'navigateBack', delta: 1 },
    ]);
    expect(wx.emulator.toasts).toEqual([{ title: 'Paid', icon: 'success' }]);
  });

  test('platform and safe area', () => {
    expect(wx.getSystemInfoSync().platform).toBe('ios');
    expect(
      createWx({ sandboxUrl: edge.url, user: 'a', platform: 'devtools' }).getDeviceInfo().platform,
    ).toBe('devtools');
    expect(wx.getWindowInfo().safeArea.bottom).toBeLessThan(wx.getWindowInfo().screenHeight);
  });

  test('canIUse reflects what exists', () => {
    expect(wx.canIUse('request')).toBe(true);
    expect(wx.canIUse('login.success')).toBe(true);
    expect(wx.canIUse('requestPluginPayment')).toBe(false);
    expect(wx.canIUse('openEmbeddedMiniProgram')).toBe(true);
    expect(wx.canIUse('chooseAddress')).toBe(false);
  });

  test('installWx: the emulator first, the previous wx for the rest, and an undo', () => {
    const g = globalThis as unknown as { wx?: Record<string, unknown> };
    const before = g.wx;
    g.wx = { nextTick: () => 'previous', login: () => 'previous' };
    const undo = installWx(wx);
    try {
      expect((g.wx.nextTick as () => string)()).toBe('previous');
      expect(g.wx.login).toBe(wx.login);
      expect('getStorageSync' in g.wx).toBe(true);
    } finally {
      undo();
      expect((g.wx as Record<string, unknown>).login).not.toBe(wx.login);
      g.wx = before;
    }
  });
});
