/**
 * Page states reached without a server: bad links and an empty cart. States that need the
 * server's answer are in order-confirm.test.ts and pay-result.test.ts.
 */
import simulate from 'miniprogram-simulate';
import { closePage, loadPages, openPage, textOf, waitForPhase } from '../../dev/pages-harness';

let ids: ReturnType<typeof loadPages>;
beforeAll(() => {
  ids = loadPages();
});

describe('order-confirm without a server', () => {
  it('an empty items parameter shows the empty cart', async () => {
    const page = openPage(ids['order-confirm'], { items: '' });
    await waitForPhase(page, 'empty');
    expect(textOf(page, '#state-empty')).toContain('Your cart is empty');
    expect(page.querySelector('#pay-button')).toBeUndefined();
    closePage(page);
  });

  it('a malformed items parameter is an error with the reason, and no request is made', async () => {
    const request = jest.spyOn(wx, 'request');
    const page = openPage(ids['order-confirm'], { items: 'TEA-LJ-250:0' });
    await waitForPhase(page, 'error');
    expect(textOf(page, '#error-text')).toBe('quantity of TEA-LJ-250 must be at least 1');
    expect(page.querySelector('#retry')).toBeDefined();
    expect(request).not.toHaveBeenCalled();
    closePage(page);
    request.mockRestore();
  });

  it('a malformed order number is refused before any request', async () => {
    const request = jest.spyOn(wx, 'request');
    const page = openPage(ids['order-confirm'], { orderNo: 'x' });
    await waitForPhase(page, 'error');
    expect(textOf(page, '#error-text')).toBe('This link does not name an order.');
    closePage(page);
    const result = openPage(ids['pay-result'], { orderNo: '../../etc', outcome: 'success' });
    await waitForPhase(result, 'error');
    expect(textOf(result, '#error-text')).toBe('This link does not name an order.');
    expect(result.querySelector('#refresh')).toBeUndefined();
    closePage(result);
    expect(request).not.toHaveBeenCalled();
    request.mockRestore();
  });

  it('the loading state is announced while the first request is in flight', async () => {
    const page = openPage(ids['order-confirm'], { items: 'TEA-LJ-250:1' });
    expect(page.data.phase).toBe('loading');
    expect(textOf(page, '#state-loading')).toBe('Preparing your order…');
    closePage(page);
    await simulate.sleep(150);
  });
});
