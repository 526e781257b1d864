/**
 * The emulated client tells a real sandbox of every jump between mini programs
 * (POST /sandbox/jumps): the confirmation dialog, the opening and the way back, in order, with
 * what WeChat did. Fire-and-forget: with no sandbox listening, or one that refuses, the APIs
 * answer exactly as before and the failure lands in phone.reportErrors.
 */
import { createWx } from '../../dev/emulator';
import type { CreateWxOptions, EmulatedWx } from '../../dev/emulator';
import { getJson, http, useSandbox } from '../sandbox/support';

jest.setTimeout(20_000);

const env = useSandbox();

type Answer = { ok: boolean; errMsg: string };

interface Listed {
  id: string;
  at: string;
  [field: string]: unknown;
}

const listed = async (): Promise<Listed[]> =>
  (await getJson(`${env.sandbox.url}/sandbox/jumps`)).jumps as Listed[];

/** The fields of the events after the first `from`, without the sandbox's id and time. */
async function reportedSince(from: number): Promise<Array<Record<string, unknown>>> {
  return (await listed()).slice(from).map(({ id, at, ...fields }) => {
    expect(id).toMatch(/^jump_\d+$/);
    expect(at).toMatch(/\+08:00$/);
    return fields;
  });
}

function host(options: Partial<CreateWxOptions> = {}): EmulatedWx {
  return createWx({
    sandboxUrl: env.sandbox.url,
    user: 'alice',
    appid: env.sandbox.credentials.appId,
    ...options,
  });
}

/** Calls a jump API inside a tap and resolves with how it answered. */
function tapped(
  wx: EmulatedWx,
  fn: (cb: { success(r: { errMsg: string }): void; fail(r: { errMsg: string }): void }) => void,
): Promise<Answer> {
  return new Promise((resolve) => {
    wx.emulator.tap(() =>
      fn({
        success: (r) => resolve({ ok: true, errMsg: r.errMsg }),
        fail: (r) => resolve({ ok: false, errMsg: r.errMsg }),
      }),
    );
  });
}

function back(wx: EmulatedWx, extraData?: Record<string, unknown>): Promise<Answer> {
  return new Promise((resolve) => {
    wx.navigateBackMiniProgram({
      ...(extraData !== undefined ? { extraData } : {}),
      success: (r) => resolve({ ok: true, errMsg: r.errMsg }),
      fail: (r) => resolve({ ok: false, errMsg: r.errMsg }),
    });
  });
}

test('a jump there and back: dialog, open and return reach the sandbox in order', async () => {
  const shop = host();
  const cashierId = env.sandbox.credentials.cashierApp.appId;
  const cashier = shop.emulator.registerMiniProgram(cashierId);
  const before = (await listed()).length;

  const opened = await tapped(shop, (cb) =>
    shop.navigateToMiniProgram({
      appId: cashierId,
      path: 'pages/pay/index?order=WP1',
      extraData: { order: 'WP1', fee: 100 },
      ...cb,
    }),
  );
  expect(opened).toEqual({ ok: true, errMsg: 'navigateToMiniProgram:ok' });
  const target = cashier.wx;
  if (target === undefined) throw new Error('the cashier did not launch');
  expect(await back(target, { result: 'paid' })).toEqual({
    ok: true,
    errMsg: 'navigateBackMiniProgram:ok',
  });
  await shop.emulator.reportsSettled();

  expect(shop.emulator.phone.reportErrors).toEqual([]);
  const appId = env.sandbox.credentials.appId;
  expect(await reportedSince(before)).toEqual([
    {
      event: 'dialog',
      from: appId,
      to: cashierId,
      api: 'navigateToMiniProgram',
      kind: 'full-screen',
      answer: 'confirm',
      path: 'pages/pay/index?order=WP1',
      user: 'alice',
    },
    {
      event: 'open',
      from: appId,
      to: cashierId,
      api: 'navigateToMiniProgram',
      kind: 'full-screen',
      apiCategory: 'default',
      path: 'pages/pay/index?order=WP1',
      extraData: { order: 'WP1', fee: 100 },
      user: 'alice',
    },
    {
      event: 'return',
      from: cashierId,
      to: appId,
      api: 'navigateBackMiniProgram',
      extraData: { result: 'paid' },
      user: 'alice',
    },
  ]);
  // What the emulator records itself is unchanged.
  expect(shop.emulator.jumpDialogs).toEqual([{ appId: cashierId, answer: 'confirm' }]);
  expect(shop.emulator.jumps).toHaveLength(1);
  expect(shop.emulator.phone.returns).toHaveLength(1);

  // The inspection page shows them.
  const page = (await http(`${env.sandbox.url}/sandbox`)).text;
  expect(page).toContain('<h2>Jumps between mini programs');
  expect(page).toContain('cashier app');
});

test('a cancelled dialog; half screen with no dialog; a swipe away that loses extraData', async () => {
  const cashierId = env.sandbox.credentials.cashierApp.appId;
  const shop = host({ jumpConfirmAnswers: ['cancel'], embeddedAppIds: [cashierId] });
  const cashier = shop.emulator.registerMiniProgram(cashierId, {
    // Sent from onHide: WeChat drops it.
    onHide: (_o, own) => own.navigateBackMiniProgram({ extraData: { late: true } }),
  });
  const before = (await listed()).length;

  expect(
    await tapped(shop, (cb) => shop.navigateToMiniProgram({ appId: cashierId, ...cb })),
  ).toEqual({ ok: false, errMsg: 'navigateToMiniProgram:fail cancel' });
  expect(
    await tapped(shop, (cb) =>
      shop.openEmbeddedMiniProgram({ appId: cashierId, extraData: { order: 'WP2' }, ...cb }),
    ),
  ).toEqual({ ok: true, errMsg: 'openEmbeddedMiniProgram:ok' });
  expect(cashier.wx).toBeDefined();
  shop.emulator.swipeAway(cashierId);
  await shop.emulator.reportsSettled();

  const appId = env.sandbox.credentials.appId;
  expect(shop.emulator.phone.reportErrors).toEqual([]);
  expect(await reportedSince(before)).toEqual([
    {
      event: 'dialog',
      from: appId,
      to: cashierId,
      api: 'navigateToMiniProgram',
      kind: 'full-screen',
      answer: 'cancel',
      user: 'alice',
    },
    {
      event: 'open',
      from: appId,
      to: cashierId,
      api: 'openEmbeddedMiniProgram',
      kind: 'embedded',
      apiCategory: 'embedded',
      extraData: { order: 'WP2' },
      user: 'alice',
    },
    {
      event: 'return',
      from: cashierId,
      to: appId,
      api: 'swipe-away',
      extraDataLost: true,
      user: 'alice',
    },
  ]);
});

test('a fallback is reported with its reason', async () => {
  const cashierId = env.sandbox.credentials.cashierApp.appId;
  const shop = host({ orientation: 'landscape', embeddedAppIds: [cashierId] });
  shop.emulator.registerMiniProgram(cashierId);
  const before = (await listed()).length;
  expect(
    await tapped(shop, (cb) => shop.openEmbeddedMiniProgram({ appId: cashierId, ...cb })),
  ).toEqual({ ok: true, errMsg: 'openEmbeddedMiniProgram:ok' });
  await shop.emulator.reportsSettled();
  const events = await reportedSince(before);
  expect(events.map((e) => [e.event, e.kind, e.reason, e.apiCategory])).toEqual([
    ['dialog', 'fallback', 'landscape', undefined],
    ['open', 'fallback', 'landscape', 'default'],
  ]);
});

test('a refused report changes nothing the APIs answer and lands in reportErrors', async () => {
  const cashierId = env.sandbox.credentials.cashierApp.appId;
  const shop = host();
  shop.emulator.registerMiniProgram(cashierId);
  const before = (await listed()).length;
  // More than the sandbox keeps of extraData: the open report is refused, the jump happens.
  const big = { blob: 'x'.repeat(4000) };
  expect(
    await tapped(shop, (cb) =>
      shop.navigateToMiniProgram({ appId: cashierId, extraData: big, ...cb }),
    ),
  ).toEqual({ ok: true, errMsg: 'navigateToMiniProgram:ok' });
  await shop.emulator.reportsSettled();
  expect(shop.emulator.jumps).toHaveLength(1);
  expect((await reportedSince(before)).map((e) => e.event)).toEqual(['dialog']);
  expect(shop.emulator.phone.reportErrors).toHaveLength(1);
  expect(String(shop.emulator.phone.reportErrors[0])).toContain('answered 400');
});

test('with nothing listening, reports fail quietly and settle', async () => {
  const shop = createWx({
    sandboxUrl: 'http://127.0.0.1:9',
    user: 'bob',
    appid: 'wxshop000000000009',
  });
  const target = shop.emulator.registerMiniProgram('wxtarget0000000009');
  expect(
    await tapped(shop, (cb) => shop.navigateToMiniProgram({ appId: 'wxtarget0000000009', ...cb })),
  ).toEqual({ ok: true, errMsg: 'navigateToMiniProgram:ok' });
  expect(await back(target.wx as EmulatedWx, { x: 1 })).toEqual({
    ok: true,
    errMsg: 'navigateBackMiniProgram:ok',
  });
  const started = Date.now();
  await shop.emulator.reportsSettled();
  expect(Date.now() - started).toBeLessThan(5000);
  // dialog, open, return: each failed, none thrown into the page code.
  expect(shop.emulator.phone.reportErrors).toHaveLength(3);
  expect(shop.emulator.phone.errors).toEqual([]);
});
