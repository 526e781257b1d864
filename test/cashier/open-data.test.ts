/**
 * How the cashier reads the show that opened it: only a show from another mini program (1037)
 * carries an order, the path's orderNo must agree with extraData's, and malformed values are no
 * order at all (the page then asks for nothing).
 */
import { openingOf } from '../../cashier/lib/open-data';

const ORDER = 'WP20261204ABCDEFGH';
const TOKEN = 'a'.repeat(43);
const SHOP = 'wx0123456789abcdef';

const opened = (extra: Record<string, unknown> = {}) => ({
  scene: 1037,
  path: 'pages/pay/index',
  query: { orderNo: ORDER },
  referrerInfo: { appId: SHOP, extraData: { orderNo: ORDER, orderToken: TOKEN } },
  apiCategory: 'embedded',
  ...extra,
});

describe('cashier: the opening', () => {
  it('a half-screen opening names the order, its token and the opener', () => {
    expect(openingOf(opened())).toEqual({
      data: { orderNo: ORDER, orderToken: TOKEN },
      openerAppId: SHOP,
      embedded: true,
    });
  });

  it('full screen (the fallback) is the same order, not embedded', () => {
    expect(openingOf(opened({ apiCategory: 'default' }))).toMatchObject({
      data: { orderNo: ORDER },
      embedded: false,
    });
  });

  it('without extraData the path still names the order (no token)', () => {
    expect(openingOf(opened({ referrerInfo: { appId: SHOP } })).data).toEqual({ orderNo: ORDER });
  });

  it.each<[string, Record<string, unknown>]>([
    ['the path and extraData disagree', { query: { orderNo: 'WP20261204OTHER000' } }],
    [
      'a token of the wrong shape',
      { referrerInfo: { appId: SHOP, extraData: { orderNo: ORDER, orderToken: 'short' } } },
    ],
    [
      'an order number with a control character',
      { referrerInfo: { appId: SHOP, extraData: { orderNo: 'WP2026\u0000X' } }, query: {} },
    ],
    [
      'an order number that is not a string',
      { referrerInfo: { extraData: { orderNo: 42 } }, query: {} },
    ],
  ])('%s: no order', (_name, extra) => {
    expect(openingOf(opened(extra)).data).toBeUndefined();
  });

  it('a show that is not an opening by another mini program has no opener and ignores extraData', () => {
    const plain = openingOf(opened({ scene: 1001, query: {} }));
    expect(plain).toEqual({ data: undefined, openerAppId: undefined, embedded: true });
    expect(openingOf(undefined)).toEqual({
      data: undefined,
      openerAppId: undefined,
      embedded: false,
    });
    expect(openingOf('nonsense').data).toBeUndefined();
  });
});
