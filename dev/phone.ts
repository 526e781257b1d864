/**
 * One user's phone for the end-to-end tests: the emulated `wx` installed as the global, the
 * owner's BUILT functional page behind the plugin's payment route, and the shop's pages opened
 * and followed the way WeChat's router would.
 */
import { API_BASE_URL } from '../miniprogram/build-config';
import { SANDBOX_URL as PLUGIN_SANDBOX_URL } from '../plugin/build-config';
import { ensureBuilt } from './dist';
import { createFunctionalPageRunner, connectPluginPayment, createWx, installWx } from './emulator';
import type { CashierOutcome, EmulatedWx, FunctionalPageRunner } from './emulator';
import { connectFunctionalPages } from './emulator/navigator';
import type { Page, PageName } from './pages-harness';
import { closePage, openPage, parsePageUrl, waitFor } from './pages-harness';

export interface PhoneOptions {
  serverUrl: string;
  /** Where the shop's requests really go (default serverUrl); tests put a flaky network here. */
  shopApiUrl?: string;
  /** The base URL the shop was built with (default: miniprogram/build-config.ts). */
  shopApiBase?: string;
  sandboxUrl: string;
  user: string;
  cashierOutcome?: CashierOutcome;
  modalAnswers?: Array<'confirm' | 'cancel'>;
  /** `plugin`: base library with wx.requestPluginPayment; `navigator`: the older jump. */
  route?: 'plugin' | 'navigator';
  /** `devtools`: WeChat DevTools, where a development build pays at the local sandbox. */
  platform?: 'ios' | 'android' | 'devtools';
  /** WeChat's language on this phone (default zh_CN); the shop and the plugin both follow it. */
  language?: string;
}

/** The base library a phone plays per route: the current one, or the last before 2.22.1. */
export const BASE_LIBRARY_FOR_ROUTE = { plugin: '3.7.0', navigator: '2.21.4' } as const;

export interface Phone {
  /** The shop's `wx` (host pages); the owner app's functional page shares it: one app. */
  wx: EmulatedWx;
  /** The plugin's own `wx`: only what WeChat gives plugins, and storage of its own. */
  pluginWx: EmulatedWx;
  runner: FunctionalPageRunner;
  /** The page on screen. */
  page: Page | undefined;
  /** Puts this phone in the user's hand: its `wx` becomes the global one. */
  use(): Phone;
  open(name: PageName, query?: Record<string, string>): Page;
  /**
   * Waits for the page to call wx.redirectTo and opens the target, as WeChat does;
   * `beforeOpen` runs between the two.
   */
  followRedirect(
    timeoutMs?: number,
    beforeOpen?: () => void,
  ): Promise<{ name: PageName; page: Page }>;
  put(): void;
}

/**
 * The shop build points at 127.0.0.1:3000 (build-config.ts); the test server listens on a free
 * port. Like a hosts entry on the phone, requests for the shop's base go to the test server.
 */
export function routeRequests(wx: EmulatedWx, from: string, to: string): void {
  if (from === to) return;
  const request = wx.request.bind(wx);
  wx.request = (option) =>
    request({
      ...option,
      url: option.url.startsWith(`${from}/`) ? to + option.url.slice(from.length) : option.url,
    });
}

/** Pages call the global `wx`, so only one phone is in use at a time. */
let inHand: { phone: Phone; putDown(): void } | undefined;

export function pickUpPhone(options: PhoneOptions, ids: Record<PageName, string>): Phone {
  // The functional page runs from dist/, as WeChat runs the built app.
  ensureBuilt();
  const wx = createWx({
    sandboxUrl: options.sandboxUrl,
    user: options.user,
    cashierOutcome: options.cashierOutcome ?? 'success',
    modalAnswers: options.modalAnswers ?? [],
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.language ? { language: options.language } : {}),
  });
  routeRequests(wx, options.shopApiBase ?? API_BASE_URL, options.shopApiUrl ?? options.serverUrl);
  const pluginWx = createWx({
    context: 'plugin',
    sandboxUrl: options.sandboxUrl,
    user: options.user,
    baseLibrary: BASE_LIBRARY_FOR_ROUTE[options.route ?? 'plugin'],
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.language ? { language: options.language } : {}),
  });
  routeRequests(pluginWx, options.shopApiBase ?? API_BASE_URL, options.serverUrl);
  // A development build's DevTools payer talks to the sandbox it was built for.
  if (PLUGIN_SANDBOX_URL) routeRequests(pluginWx, PLUGIN_SANDBOX_URL, options.sandboxUrl);
  const runner = createFunctionalPageRunner({ wx, config: { apiBaseUrl: options.serverUrl } });
  const undo: Array<() => void> = [connectPluginPayment(runner, pluginWx)];
  let handled = 0;

  const phone: Phone = {
    wx,
    pluginWx,
    runner,
    page: undefined,
    use() {
      if (inHand?.phone === phone) return phone;
      inHand?.putDown();
      const uninstallHost = installWx(wx);
      const uninstallPlugin = installWx(pluginWx);
      const uninstall = () => {
        uninstallPlugin();
        uninstallHost();
      };
      connectFunctionalPages(runner);
      inHand = {
        phone,
        putDown() {
          connectFunctionalPages(null);
          uninstall();
          inHand = undefined;
        },
      };
      return phone;
    },
    open(name, query = {}) {
      phone.use();
      if (phone.page) closePage(phone.page);
      handled = wx.emulator.navigations.length;
      phone.page = openPage(ids[name], query);
      return phone.page;
    },
    async followRedirect(timeoutMs = 10_000, beforeOpen?: () => void) {
      const nav = await waitFor(
        'a redirect',
        () => wx.emulator.navigations.slice(handled).find((n) => n.kind === 'redirectTo'),
        timeoutMs,
      );
      const { page: name, query } = parsePageUrl(nav.url ?? '');
      beforeOpen?.();
      return { name, page: phone.open(name, query) };
    },
    put() {
      if (phone.page) closePage(phone.page);
      phone.page = undefined;
      if (inHand?.phone === phone) inHand.putDown();
      // Once only: a test may put a phone down itself before the set-up puts down the rest.
      for (const fn of undo.splice(0).reverse()) fn();
    },
  };
  return phone;
}
