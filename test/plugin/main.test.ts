import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as main from '../../plugin';
import { CURRENCY_SYMBOLS, formatFee, MAX_FEE, PLUGIN_VERSION, validateFee } from '../../plugin';

describe('formatFee', () => {
  test.each([
    [1, '¥0.01'],
    [10, '¥0.10'],
    [100, '¥1.00'],
    [1234, '¥12.34'],
    [123456789, '¥1,234,567.89'],
    [MAX_FEE, '¥1,000,000.00'],
  ])('%d fen → %s', (fee, text) => {
    expect(formatFee(fee)).toBe(text);
  });

  test('symbol per currency, amount still fen', () => {
    expect(formatFee(1234, 'USD')).toBe('US$12.34');
    expect(formatFee(1234, 'KRW')).toBe('₩12.34');
    expect(Object.keys(CURRENCY_SYMBOLS).sort()).toEqual(
      ['AUD', 'CNY', 'EUR', 'GBP', 'HKD', 'JPY', 'KRW', 'MOP', 'USD'].sort(),
    );
  });

  test.each([-1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1])('rejects %p', (fee) => {
    expect(() => formatFee(fee)).toThrow(RangeError);
  });

  test('rejects an unknown currency', () => {
    expect(() => formatFee(1, 'XBT' as never)).toThrow(/unknown currencyType XBT/);
  });
});

describe('validateFee', () => {
  test('accepts 1 … MAX_FEE integers', () => {
    expect(validateFee(1)).toEqual({ ok: true, fee: 1 });
    expect(validateFee(MAX_FEE)).toEqual({ ok: true, fee: MAX_FEE });
  });

  test.each([
    [undefined, /missing/],
    [null, /missing/],
    ['', /missing/],
    ['12', /number of fen, got string "12"/],
    [true, /number of fen, got boolean/],
    [[1], /number of fen, got object/],
    [NaN, /NaN/],
    [-Infinity, /finite/],
    [0, /positive/],
    [-5, /positive/],
    [0.5, /whole number/],
    [MAX_FEE + 1, /above the limit/],
  ])('%p is refused with a reason', (value, reason) => {
    const check = validateFee(value);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });
});

test('PLUGIN_VERSION is the package version', () => {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
    version: string;
  };
  expect(PLUGIN_VERSION).toBe(pkg.version);
});

test('the plugin main exports the fee helpers and the order API (types are erased)', () => {
  expect(Object.keys(main).sort()).toEqual(
    [
      'CURRENCY_SYMBOLS',
      'MAX_FEE',
      'PLUGIN_VERSION',
      'formatFee',
      'validateFee',
      'PluginOrderError',
      'createOrder',
      'getOrder',
      'paymentArgsFor',
    ].sort(),
  );
});
