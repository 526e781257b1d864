/**
 * Our cashier mini program (cashier/) on an emulated phone. It is registered under its own
 * AppID, so the shop's or a host's half-screen open reaches it; when WeChat launches it, its
 * real page is rendered in miniprogram-simulate with the cashier's own `wx` (its AppID, its
 * storage, wx.login and wx.requestPayment under it), which the cashier's modules see through
 * their own scope (dev/emulator/plugin-scope.ts). Taps go through `wx.emulator.tap`, as a
 * finger would; what it sends back and how it leaves is recorded by the phone.
 */
import simulate from 'miniprogram-simulate';
import { API_BASE_URL as CASHIER_API_BASE } from '../cashier/build-config';
import type { CashierOutcome, EmulatedWx } from './emulator';
import { installCashierWx } from './emulator/plugin-scope';
import type { Page } from './pages-harness';
import { routeRequests } from './phone';
import { loadFromTree } from './simulate-load';

export const CASHIER_HOME = 'pages/pay/index';

interface CashierPageMethods {
  onLoad(query: Record<string, string>): void;
  onUnload(): void;
  onPay(): void;
  onBack(): void;
  onRetry(): void;
}

/** Loads the cashier's page once per test file (Jest caches modules), from source or dist/. */
export function loadCashierPage(from: 'source' | 'dist' = 'source'): string {
  return loadFromTree(from, `cashier/${CASHIER_HOME}`);
}

export interface CashierOptions {
  /** The cashier's AppID (the server's CASHIER_APP_ID; the sandbox's `cashierApp`). */
  appId: string;
  /** Where its requests for the build's API base really go (the test server). */
  serverUrl: string;
  /** What the user does in WeChat Pay's sheet (changeable later on `wx.emulator`). */
  cashierOutcome?: CashierOutcome;
  /** Its base library (default: the opener's). */
  baseLibrary?: string;
}

export interface CashierOnPhone {
  readonly appId: string;
  /** Its own wx, once WeChat launched it. */
  readonly wx: EmulatedWx | undefined;
  /** Its page, while it runs. */
  readonly page: Page | undefined;
  /** Cold starts so far (a hot re-open only shows it again). */
  readonly launches: number;
  /** A tap on 微信支付 / 返回商家 / 重试. */
  tapPay(): void;
  tapBack(): void;
  tapRetry(): void;
  /** Unloads its page and its scope (the phone put down). */
  put(): void;
}

/** Puts the cashier on the phone `opener` runs on. */
export function installCashier(
  opener: EmulatedWx,
  options: CashierOptions,
  pageId: string,
): CashierOnPhone {
  let page: Page | undefined;
  let cashierWx: EmulatedWx | undefined;
  let launches = 0;
  let uninstall: (() => void) | undefined;
  const methods = (): CashierPageMethods => {
    if (!page) throw new Error('the cashier is not running: open it first');
    return page.instance as unknown as CashierPageMethods;
  };
  const tapOn = (fn: () => void): void => {
    if (!cashierWx) throw new Error('the cashier is not running: open it first');
    cashierWx.emulator.tap(fn);
  };

  opener.emulator.registerMiniProgram(options.appId, {
    homePath: CASHIER_HOME,
    wx: {
      cashierOutcome: options.cashierOutcome ?? 'success',
      ...(options.baseLibrary ? { baseLibrary: options.baseLibrary } : {}),
    },
    onLaunch(launch, wx) {
      launches += 1;
      cashierWx = wx;
      // The cashier was built for the local default server; the test's listens elsewhere.
      routeRequests(wx, CASHIER_API_BASE, options.serverUrl);
      uninstall?.();
      uninstall = installCashierWx(wx);
      // WeChat loads the launch page: its onLoad gets the page path's query.
      const rendered = simulate.render(pageId) as unknown as Page;
      rendered.attach(document.createElement('cashier-wrapper'));
      page = rendered;
      (rendered.instance as unknown as CashierPageMethods).onLoad({ ...launch.query });
    },
  });

  return {
    appId: options.appId,
    get wx() {
      return cashierWx;
    },
    get page() {
      return page;
    },
    get launches() {
      return launches;
    },
    tapPay: () => tapOn(() => methods().onPay()),
    tapBack: () => tapOn(() => methods().onBack()),
    tapRetry: () => tapOn(() => methods().onRetry()),
    put() {
      if (page) {
        (page.instance as unknown as CashierPageMethods).onUnload();
        page.detach();
        page = undefined;
      }
      uninstall?.();
      uninstall = undefined;
    },
  };
}
