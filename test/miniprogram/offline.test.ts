/**
 * Page states reached without a server: bad links and an empty cart, in both languages (WeChat's
 * language decides; Chinese is the default). States that need the server's answer are in
 * order-confirm.test.ts and pay-result.test.ts.
 */
import simulate from 'miniprogram-simulate';
import { createWx, installWx } from '../../dev/emulator';
import { closePage, loadPages, openPage, textOf, waitForPhase } from '../../dev/pages-harness';

let ids: ReturnType<typeof loadPages>;
beforeAll(() => {
  ids = loadPages();
});

const WORDS = {
  zh_CN: {
    empty: '购物车是空的',
    badQuantity: 'TEA-LJ-250 的数量至少为 1。',
    badLink: '链接中没有有效的订单号。',
    loading: '正在准备订单…',
    retry: '重试',
    title: '确认订单',
  },
  en_US: {
    empty: 'Your cart is empty',
    badQuantity: 'The quantity of TEA-LJ-250 must be at least 1.',
    badLink: 'This link does not name an order.',
    loading: 'Preparing your order…',
    retry: 'Try again',
    title: 'Confirm order',
  },
};

describe.each(Object.entries(WORDS))(
  'order-confirm without a server, WeChat in %s',
  (language, words) => {
    let uninstall: () => void;
    let wx: ReturnType<typeof createWx>;
    beforeEach(() => {
      // Nobody listens on port 9: a request that should not be made would fail loudly.
      wx = createWx({ sandboxUrl: 'http://127.0.0.1:9', user: 'offline', language });
      uninstall = installWx(wx);
    });
    afterEach(() => uninstall());

    it('an empty items parameter shows the empty cart', async () => {
      const page = openPage(ids['order-confirm'], { items: '' });
      await waitForPhase(page, 'empty');
      expect(textOf(page, '#state-empty')).toContain(words.empty);
      expect(page.querySelector('#pay-button')).toBeUndefined();
      expect(wx.emulator.titles).toEqual([words.title]);
      closePage(page);
    });

    it('a malformed items parameter is an error with the reason, and no request is made', async () => {
      const request = jest.spyOn(wx, 'request');
      const page = openPage(ids['order-confirm'], { items: 'TEA-LJ-250:0' });
      await waitForPhase(page, 'error');
      expect(textOf(page, '#error-text')).toBe(words.badQuantity);
      expect(textOf(page, '#retry')).toBe(words.retry);
      expect(request).not.toHaveBeenCalled();
      closePage(page);
      request.mockRestore();
    });

    it('a malformed order number is refused before any request', async () => {
      const request = jest.spyOn(wx, 'request');
      const page = openPage(ids['order-confirm'], { orderNo: 'x' });
      await waitForPhase(page, 'error');
      expect(textOf(page, '#error-text')).toBe(words.badLink);
      closePage(page);
      const result = openPage(ids['pay-result'], { orderNo: '../../etc', outcome: 'success' });
      await waitForPhase(result, 'error');
      expect(textOf(result, '#error-text')).toBe(words.badLink);
      expect(result.querySelector('#refresh')).toBeUndefined();
      closePage(result);
      expect(request).not.toHaveBeenCalled();
      request.mockRestore();
    });

    it('the loading state is announced while the first request is in flight', async () => {
      const page = openPage(ids['order-confirm'], { items: 'TEA-LJ-250:1' });
      expect(page.data.phase).toBe('loading');
      expect(textOf(page, '#state-loading')).toBe(words.loading);
      closePage(page);
      await simulate.sleep(150);
    });
  },
);
