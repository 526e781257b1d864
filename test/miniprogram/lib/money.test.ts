import { messagesFor } from '../../../miniprogram/lib/i18n';
import {
  MAX_FEN,
  formatDiscount,
  formatPrice,
  formatYuan,
  isFen,
  spokenPrice,
} from '../../../miniprogram/lib/money';

describe('money formatting from fen', () => {
  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [10, '0.10'],
    [99, '0.99'],
    [100, '1.00'],
    [1234, '12.34'],
    [100000, '1,000.00'],
    [123456789, '1,234,567.89'],
    [MAX_FEN, '1,000,000.00'],
    [-500, '-5.00'],
  ])('formatYuan(%d) = %s', (fen, text) => {
    expect(formatYuan(fen)).toBe(text);
  });

  it('never goes through a float: every cent value of 1.00–2.00 formats exactly', () => {
    for (let fen = 100; fen <= 200; fen += 1) {
      const cents = fen % 100;
      expect(formatYuan(fen)).toBe(`${Math.floor(fen / 100)}.${String(cents).padStart(2, '0')}`);
    }
  });

  it.each([0.5, 12.34, Number.NaN, Infinity, -Infinity, 2 ** 60])('rejects %p', (bad) => {
    expect(() => formatYuan(bad)).toThrow(TypeError);
  });

  it('rejects non-numbers at run time', () => {
    expect(() => formatYuan('100' as unknown as number)).toThrow(/integer number of fen/);
    expect(() => formatYuan(null as unknown as number)).toThrow(TypeError);
  });

  it('formats prices, discounts and spoken labels', () => {
    expect(formatPrice(12800)).toBe('¥128.00');
    expect(formatPrice(-500)).toBe('-¥5.00');
    expect(formatDiscount(1000)).toBe('-¥10.00');
    expect(formatDiscount(-1000)).toBe('-¥10.00');
    expect(formatDiscount(0)).toBe('¥0.00');
    expect(spokenPrice(1, messagesFor('en'))).toBe('0.01 yuan');
    expect(spokenPrice(123456, messagesFor('zh'))).toBe('1,234.56元');
  });

  it('isFen accepts safe integers only', () => {
    expect(isFen(0)).toBe(true);
    expect(isFen(-3)).toBe(true);
    expect(isFen(1.5)).toBe(false);
    expect(isFen('1')).toBe(false);
    expect(isFen(Number.MAX_SAFE_INTEGER + 1)).toBe(false);
  });
});
