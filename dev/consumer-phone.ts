/**
 * A phone running the third-party host (consumer/): three apps' worth of `wx`, as in WeChat.
 * The consumer's pages get the consumer's `wx` (its own AppID), the plugin inside it gets a
 * plugin `wx` (its requests signed by WeChat as coming from the consumer), and the payment
 * runs in the owner's functional page with the owner's `wx` (wx.login under the owner's AppID).
 * Three storages, one user.
 */
import { API_BASE_URL as PLUGIN_API_BASE_URL } from '../plugin/build-config';
// The plugin's main as WeChat loads it for requirePlugin: in the plugin's scope (its own wx).
import * as pluginMain from '../plugin/index';
import { ensureBuilt } from './dist';
import { connectPluginPayment, createFunctionalPageRunner, createWx, installWx } from './emulator';
import type { CashierOutcome, EmulatedWx, FunctionalPageRunner } from './emulator';
import { connectFunctionalPages, installFunctionalPageNavigator } from './emulator/navigator';
import { installRequirePlugin } from './emulator/require-plugin';
import type { Page } from './pages-harness';
import { closePage, openPage } from './pages-harness';
import { BASE_LIBRARY_FOR_ROUTE, routeRequests } from './phone';
import { loadFromTree } from './simulate-load';

export interface ConsumerPhoneOptions {
  serverUrl: string;
  sandboxUrl: string;
  /** The consumer's AppID (the sandbox registers it) and the plugin's token. */
  consumerAppId: string;
  pluginToken: string;
  user: string;
  route?: 'plugin' | 'navigator';
  cashierOutcome?: CashierOutcome;
}

export interface ConsumerPhone {
  /** The consumer's own wx: its pages run here. */
  hostWx: EmulatedWx;
  pluginWx: EmulatedWx;
  /** The owner app's wx, where the functional page logs in and pays. */
  ownerWx: EmulatedWx;
  runner: FunctionalPageRunner;
  open(query?: Record<string, string>): Page;
  put(): void;
}

/** Loads the consumer's checkout page once per test file (Jest caches modules). */
export function loadConsumerPage(): string {
  installFunctionalPageNavigator();
  return loadFromTree('source', 'consumer/pages/checkout/index', {
    // plugin://pay/pay-button is the plugin's own component, as WeChat would load it.
    usingComponents: { 'pay-button': '/plugin/components/pay-button/index' },
  });
}

export function pickUpConsumerPhone(options: ConsumerPhoneOptions, pageId: string): ConsumerPhone {
  ensureBuilt();
  const common = { sandboxUrl: options.sandboxUrl, user: options.user };
  const hostWx = createWx({ ...common, appid: options.consumerAppId });
  const pluginWx = createWx({
    ...common,
    context: 'plugin',
    hostAppId: options.consumerAppId,
    pluginToken: options.pluginToken,
    baseLibrary: BASE_LIBRARY_FOR_ROUTE[options.route ?? 'plugin'],
  });
  // The plugin was built for 127.0.0.1:3000; the test server listens elsewhere.
  routeRequests(pluginWx, PLUGIN_API_BASE_URL, options.serverUrl);
  const ownerWx = createWx({
    ...common,
    context: 'functional-page',
    cashierOutcome: options.cashierOutcome ?? 'success',
  });
  const runner = createFunctionalPageRunner({
    wx: ownerWx,
    config: { apiBaseUrl: options.serverUrl },
  });
  const undo = [
    installWx(hostWx),
    installWx(pluginWx),
    connectPluginPayment(runner, pluginWx),
    // The host's `requirePlugin('pay')`: the plugin's main, in the plugin's scope.
    installRequirePlugin({ pay: () => pluginMain }),
  ];
  connectFunctionalPages(runner);
  let page: Page | undefined;
  return {
    hostWx,
    pluginWx,
    ownerWx,
    runner,
    open(query = {}) {
      if (page) closePage(page);
      page = openPage(pageId, query);
      return page;
    },
    put() {
      if (page) closePage(page);
      page = undefined;
      connectFunctionalPages(null);
      for (const fn of undo.splice(0).reverse()) fn();
    },
  };
}
