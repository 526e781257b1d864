/**
 * The runner plays WeChat around the owner's functional page: these pages are written here to
 * misbehave in the ways WeChat has to survive, and the real built page is loaded under
 * WeChat's rule that nothing outside functional-pages/ may be required.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  connectPluginPayment,
  createFunctionalPageRunner,
  createWx,
  DEFAULT_FUNCTIONAL_PAGES_DIR,
  loadFunctionalPage,
} from '../../dev/emulator';
import type { EmulatedWx, PaymentRequest } from '../../dev/emulator';
import { ensureBuilt } from '../../dev/dist';
import { PAY_ARGS, startEdge } from '../functional-pages/edge';
import type { Edge } from '../functional-pages/edge';

let edge: Edge;
let wx: EmulatedWx;
let dir: string;

beforeAll(() => ensureBuilt());

beforeEach(async () => {
  edge = await startEdge();
  wx = createWx({ sandboxUrl: edge.url, user: 'alice' });
  dir = mkdtempSync(path.join(tmpdir(), 'fp-runner-'));
});

afterEach(async () => {
  await edge.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A functional-pages folder holding `source` as request-payment.js. */
function page(source: string, extra: Record<string, string> = {}): string {
  const root = path.join(dir, 'functional-pages');
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'request-payment.js'), source);
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(root, name), text);
  return root;
}

const ORDER = { fee: 1234, paymentArgs: { orderNo: 'ORDER20260001' } };
const ANSWER = JSON.stringify(PAY_ARGS);

test('a missing build is a clear error, not a failed payment', () => {
  expect(() => createFunctionalPageRunner({ wx, distDir: path.join(dir, 'nothing') })).toThrow(
    /request-payment\.js is missing: build the WeChat side first \(npx gulp build\)/,
  );
});

test('the built page loads with only its own files', () => {
  const exports = loadFunctionalPage(wx, { config: { apiBaseUrl: edge.url } });
  expect(typeof exports.beforeRequestPayment).toBe('function');
  expect(DEFAULT_FUNCTIONAL_PAGES_DIR).toMatch(/dist[\\/]miniprogram[\\/]functional-pages$/);
});

test('build configuration overrides are checked like the build checks them', () => {
  expect(() =>
    loadFunctionalPage(wx, { config: { apiBaseUrl: 'http://127.0.0.1:3000/' } }),
  ).toThrow(/without a trailing slash/);
  expect(() => loadFunctionalPage(wx, { config: { requestTimeoutMs: 10 } })).toThrow(
    /1000 to 60000/,
  );
});

test('success: the cashier is fed the page arguments and extraData comes back', async () => {
  const root = page(
    `exports.beforeRequestPayment = (args, cb) => cb(null, Object.assign(${ANSWER}, { extraData: { orderNo: args.orderNo } }));`,
  );
  const runner = createFunctionalPageRunner({ wx, distDir: root });
  const outcome = await runner.pay(ORDER);
  expect(outcome).toEqual({
    event: 'success',
    detail: { errMsg: 'requestPayment:ok', extraData: { orderNo: 'ORDER20260001' } },
  });
  const cashier = JSON.parse(edge.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
  expect(cashier).toEqual({ openid: 'o-alice', outcome: 'success', requestPaymentArgs: PAY_ARGS });
  expect(wx.emulator.payments).toHaveLength(1);
  expect(runner.records[0]?.cashierErrMsg).toBe('requestPayment:ok');
});

test.each([
  ['cancel', 'requestPayment:fail cancel'],
  ['fail', 'requestPayment:fail insufficient balance'],
] as const)('cashier %s → fail with WeChat errMsg', async (outcome, errMsg) => {
  wx.emulator.cashierOutcome = outcome;
  const runner = createFunctionalPageRunner({
    wx,
    distDir: page(`exports.beforeRequestPayment = (a, cb) => cb(null, ${ANSWER});`),
  });
  expect(await runner.pay(ORDER)).toEqual({ event: 'fail', detail: { errMsg } });
});

test.each([
  ['no beforeRequestPayment', 'exports.other = 1;', /exports no beforeRequestPayment/],
  [
    'a throwing function',
    'exports.beforeRequestPayment = () => { throw new Error("boom"); };',
    /boom/,
  ],
  [
    'callback(err)',
    'exports.beforeRequestPayment = (a, cb) => cb(new Error("order closed"));',
    /order closed/,
  ],
  ['a throw at load', 'throw new Error("syntax of doom");', /syntax of doom/],
  [
    'a require outside its folder',
    'require("../miniprogram/lib/api");',
    /outside functional-pages/,
  ],
  [
    'a require of a package',
    'require("node:fs");',
    /only files inside functional-pages\/ may be required/,
  ],
])('%s → fail, and the cashier is never opened', async (_name, source, reason) => {
  const runner = createFunctionalPageRunner({ wx, distDir: page(source) });
  const outcome = await runner.pay(ORDER);
  expect(outcome.event).toBe('fail');
  expect(outcome.detail.errMsg).toMatch(/^requestPayment:fail /);
  expect(outcome.detail.errMsg).toMatch(reason);
  expect(wx.emulator.roundTrips.cashier).toBe(0);
});

test('files inside the folder may require each other', async () => {
  const root = page(
    `const { answer } = require('./answer'); exports.beforeRequestPayment = (a, cb) => cb(null, answer);`,
    { 'answer.js': `exports.answer = ${ANSWER};` },
  );
  const outcome = await createFunctionalPageRunner({ wx, distDir: root }).pay(ORDER);
  expect(outcome.event).toBe('success');
});

test('a page calling back twice: the first answer counts, the second is seen', async () => {
  const runner = createFunctionalPageRunner({
    wx,
    distDir: page(
      `exports.beforeRequestPayment = (a, cb) => { cb(new Error('first')); cb(null, ${ANSWER}); };`,
    ),
  });
  const result = await runner.beforeRequestPayment({ orderNo: 'ORDER20260001' });
  expect(result.err?.message).toBe('first');
  expect(result.calls).toBe(2);
});

test('a page that never calls back: the user leaves after their patience → cancel', async () => {
  const runner = createFunctionalPageRunner({
    wx,
    distDir: page('exports.beforeRequestPayment = () => {};'),
    userPatienceMs: 50,
  });
  expect(await runner.pay(ORDER)).toEqual({ event: 'cancel', detail: {} });
});

const refusedByWeChat: Array<[string, PaymentRequest]> = [
  ['no fee', { fee: undefined, paymentArgs: {} }],
  ['a fractional fee', { fee: 1.5, paymentArgs: {} }],
  ['array paymentArgs', { fee: 1, paymentArgs: [] }],
];

test.each(refusedByWeChat)('WeChat refuses %s before opening the page', async (_name, request) => {
  const runner = createFunctionalPageRunner({
    wx,
    distDir: page('exports.beforeRequestPayment = () => { throw new Error("should not run"); };'),
  });
  const outcome = await runner.pay(request);
  expect(outcome.event).toBe('fail');
  expect(outcome.detail.errMsg).toMatch(/^requestPayment:fail invalid /);
});

describe('wx.requestPluginPayment', () => {
  function call(
    option: Omit<WechatMiniprogram.RequestPluginPaymentOption, 'success' | 'fail' | 'complete'>,
  ) {
    return new Promise<{ cb: string; res: WechatMiniprogram.GeneralCallbackResult }>((resolve) => {
      const fn = wx.requestPluginPayment;
      if (fn === undefined) throw new Error('not connected');
      fn({
        ...option,
        success: (res) => resolve({ cb: 'success', res }),
        fail: (res) => resolve({ cb: 'fail', res }),
      });
    });
  }

  test('connecting installs it; canIUse follows; undo removes it', () => {
    const runner = createFunctionalPageRunner({
      wx,
      distDir: page('exports.beforeRequestPayment = () => {};'),
    });
    expect(wx.canIUse('requestPluginPayment')).toBe(false);
    const undo = connectPluginPayment(runner);
    expect(wx.canIUse('requestPluginPayment')).toBe(true);
    undo();
    expect(wx.canIUse('requestPluginPayment')).toBe(false);
  });

  test.each([
    ['success', { cb: 'success', res: { errMsg: 'requestPluginPayment:ok', extraData: { a: 1 } } }],
    ['cancel', { cb: 'fail', res: { errMsg: 'requestPluginPayment:fail cancel' } }],
    ['fail', { cb: 'fail', res: { errMsg: 'requestPluginPayment:fail insufficient balance' } }],
  ] as const)('cashier %s', async (outcome, expected) => {
    wx.emulator.cashierOutcome = outcome;
    const runner = createFunctionalPageRunner({
      wx,
      distDir: page(
        `exports.beforeRequestPayment = (a, cb) => cb(null, Object.assign(${ANSWER}, { extraData: { a: 1 } }));`,
      ),
    });
    connectPluginPayment(runner);
    const got = await call({ version: 'release', fee: 1234, paymentArgs: {} });
    expect(got).toEqual(expected);
    expect(runner.records[0]?.request.route).toBe('requestPluginPayment');
  });
});
