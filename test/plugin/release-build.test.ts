/**
 * A release build (MP_API_BASE_URL = the merchant's https server, no MP_SANDBOX_URL) holds no
 * sandbox code: the DevTools payer is an empty module, no sandbox URL or endpoint appears in
 * dist/, and in DevTools its pay-button explains that a phone is needed and fails, as WeChat
 * cannot open a functional page there.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildRelease } from '../../dev/dist';
import { loadFromTree } from '../../dev/simulate-load';
import { createWx, installWx } from '../../dev/emulator';
import type { EmulatedWx } from '../../dev/emulator';
import {
  installFunctionalPageNavigator,
  navigatorTaps,
  tapPayButton,
} from '../../dev/emulator/navigator';
import { renderHost, settle, textOf } from './host';

let dist: string;
let payButtonId: string;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

beforeAll(() => {
  dist = buildRelease();
  installFunctionalPageNavigator();
  payButtonId = loadFromTree({ root: dist }, 'plugin/components/pay-button/index', {
    tagName: 'pay-button',
  });
}, 120_000);

it('ships no sandbox code: the payer is empty and no sandbox address or endpoint appears', () => {
  const payer = readFileSync(
    path.join(dist, 'plugin/components/pay-button/sandbox-payer.js'),
    'utf8',
  );
  expect(payer).toMatch(/exports\.payInSandbox = undefined;/);
  expect(readFileSync(path.join(dist, 'plugin/build-config.js'), 'utf8')).toMatch(
    /exports\.SANDBOX_URL = "";/,
  );
  const files = filesUnder(dist).filter((f) => /\.(js|json|wxml)$/.test(f));
  expect(files.length).toBeGreaterThan(10);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const banned of ['/sandbox/', 'login-code', 'cashier/pay', '127.0.0.1', 'localhost']) {
      if (text.includes(banned)) throw new Error(`${file} contains "${banned}"`);
    }
  }
});

it('in DevTools the release pay-button explains a phone is needed and fails', async () => {
  const wx: EmulatedWx = createWx({
    sandboxUrl: 'http://127.0.0.1:9',
    user: 'release',
    context: 'plugin',
    platform: 'devtools',
  });
  const undo = installWx(wx);
  try {
    const { payButton, events } = renderHost(payButtonId, {
      fee: 1234,
      paymentArgs: { orderNo: 'WP20261203RELEASE0001' },
    });
    tapPayButton(payButton);
    await settle();
    expect(events).toEqual([
      {
        type: 'fail',
        detail: {
          errMsg: expect.stringMatching(
            /^requestPayment:fail functional pages do not run in WeChat DevTools/,
          ),
        },
      },
    ]);
    expect(navigatorTaps()).toHaveLength(0);
    // WeChat in Chinese (the emulator's default): the notice says a phone is needed.
    expect(textOf(payButton.querySelector('.pay-button__notice'))).toMatch(/需要真机/);
    expect(wx.emulator.modals[0]?.title).toBe('请在手机上支付');
    expect(wx.emulator.modals).toHaveLength(1);
    expect(wx.emulator.roundTrips.other).toBe(0);
  } finally {
    undo();
  }
});
