/** The shop's page routes, built in one place so query strings are always encoded. */
import type { ClientOutcome } from './order-status';

/** Where "back to shop" goes. This demo's shop is its checkout; a real shop puts its home here. */
export const SHOP_HOME_URL = '/pages/order-confirm/index';

export function confirmPageUrl(orderNo: string): string {
  return `/pages/order-confirm/index?orderNo=${encodeURIComponent(orderNo)}`;
}

export function resultPageUrl(orderNo: string, outcome: ClientOutcome): string {
  return `/pages/pay-result/index?orderNo=${encodeURIComponent(orderNo)}&outcome=${outcome}`;
}

export function redirect(url: string): void {
  wx.redirectTo({
    url,
    fail() {
      // The page stack can refuse a redirect (e.g. during a transition); a plain open still works.
      wx.navigateTo({ url });
    },
  });
}

/** `getCurrentPages` may hold a page's query in encoded form; pages decode their own. */
export function queryParam(query: Record<string, string | undefined>, name: string): string {
  const value = query[name];
  if (typeof value !== 'string') return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
