/**
 * Drives the shop's real pages in miniprogram-simulate the way WeChat does: load once, render,
 * attach, call `onLoad(query)`, and `detached`/`onUnload` when leaving. The plugin's
 * `plugin://pay/pay-button` is swapped for its local source, which is what WeChat would load.
 */
import { ROOT } from './dist';
import { waitFor } from './wait-for';
import simulate from 'miniprogram-simulate';
import type { RootComponent } from 'miniprogram-simulate';
import { installFunctionalPageNavigator } from './emulator/navigator';
import { installPluginScopeHook } from './emulator/plugin-scope-hook';
import { loadFromTree } from './simulate-load';

export { ROOT };

export type PageName = 'order-confirm' | 'pay-result';

/** Page data is whatever the page put there; tests read it loosely and assert on it. */
export type PageData = Record<string, unknown>;
export type Page = RootComponent<PageData, Record<string, never>, Record<string, never>>;

interface PageMethods {
  onLoad(query: Record<string, string>): void;
  onUnload(): void;
}

/**
 * Loads both pages (and through them the pay-button) into simulate: from source by default, or
 * from the built `dist/` (what WeChat DevTools runs; `npm start` uses it). Jest caches modules,
 * so a page can only be loaded once per test file: call this once, in `beforeAll`.
 */
export function loadPages(from: 'source' | 'dist' = 'source'): Record<PageName, string> {
  // The plugin's modules see the plugin's wx, not the host's (Jest does this by a transform).
  installPluginScopeHook();
  // WeChat's built-in navigator, before the pay-button that uses it is loaded.
  installFunctionalPageNavigator();
  const options = { usingComponents: { 'pay-button': '/plugin/components/pay-button/index' } };
  return {
    'order-confirm': loadFromTree(from, 'miniprogram/pages/order-confirm/index', options),
    'pay-result': loadFromTree(from, 'miniprogram/pages/pay-result/index', options),
  };
}

export function openPage(id: string, query: Record<string, string> = {}): Page {
  const page = simulate.render(id) as unknown as Page;
  page.attach(document.createElement('parent-wrapper'));
  (page.instance as unknown as PageMethods).onLoad(query);
  return page;
}

export function closePage(page: Page): void {
  (page.instance as unknown as PageMethods).onUnload();
  page.detach();
}

/** Parses `/pages/pay-result/index?orderNo=X&outcome=success` the way WeChat hands it to onLoad. */
export function parsePageUrl(url: string): { page: PageName; query: Record<string, string> } {
  const match = /^\/pages\/(order-confirm|pay-result)\/index(?:\?(.*))?$/.exec(url);
  if (!match) throw new Error(`not a shop page url: ${url}`);
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(match[2] ?? '')) query[key] = value;
  return { page: match[1] as PageName, query };
}

export { waitFor };

export function waitForPhase(page: Page, phases: string | string[], timeoutMs = 10_000) {
  const wanted = Array.isArray(phases) ? phases : [phases];
  return waitFor(
    `phase ${wanted.join('|')} (now ${String(page.data.phase)})`,
    () => wanted.includes(String(page.data.phase)) && String(page.data.phase),
    timeoutMs,
  );
}

/** Visible text of an element found by id or class; '' when it is not rendered. */
export function textOf(page: Page, selector: string): string {
  return page.querySelector(selector)?.dom?.textContent?.trim() ?? '';
}

export function tap(page: Page, selector: string): void {
  const node = page.querySelector(selector);
  if (!node) throw new Error(`nothing to tap at ${selector}`);
  node.dispatchEvent('tap');
}

/** The plugin's pay-button on a confirmation page. */
export function payButtonOf(page: Page) {
  const button = page.querySelector('#pay-button');
  if (!button) throw new Error('the pay-button is not on the page');
  return button;
}

/** The order a confirmation page is about to pay. */
export const orderNoOf = (page: Page): string =>
  (page.data.paymentArgs as { orderNo: string }).orderNo;
