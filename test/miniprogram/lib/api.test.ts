import type { Order } from '../../../typings';
import { isOrder, isOrderNo } from '../../../miniprogram/lib/api';
import { describeError } from '../../../miniprogram/lib/error-text';
import { HttpError } from '../../../miniprogram/lib/http';
import { messagesFor } from '../../../miniprogram/lib/i18n';
import { InputError } from '../../../miniprogram/lib/input-error';
import { failReason, paymentFailureText } from '../../../miniprogram/lib/payment-errors';

const good: Order = {
  orderNo: 'WP20261123ABCDEF',
  status: 'pending',
  total: 3300,
  currency: 'CNY',
  items: [{ sku: 'MUG', name: 'Mug', spec: 'white', unitPrice: 2500, quantity: 1, subtotal: 2500 }],
  breakdown: { goods: 2500, shipping: 800, discount: 0, total: 3300 },
  createdAt: '2026-11-23T13:00:00.000Z',
  expiresAt: '2026-11-23T13:15:00.000Z',
};

describe('server answers are checked before a page uses them', () => {
  it('accepts a well-formed order', () => {
    expect(isOrder(good)).toBe(true);
    expect(isOrder({ ...good, remark: 'hi', paidAt: '2026-11-23T13:01:00Z' })).toBe(true);
  });

  it.each([
    ['null', null],
    ['a string', 'order'],
    ['a bad order number', { ...good, orderNo: 'x' }],
    ['an unknown status', { ...good, status: 'shipped' }],
    ['a fractional total', { ...good, total: 33.5, breakdown: { ...good.breakdown, total: 33.5 } }],
    ['a zero total', { ...good, total: 0, breakdown: { ...good.breakdown, total: 0 } }],
    ['a string total', { ...good, total: '3300' }],
    ['a total that is not the breakdown total', { ...good, total: 3200 }],
    ['a line with a float price', { ...good, items: [{ ...good.items[0], unitPrice: 25.5 }] }],
    ['no breakdown', { ...good, breakdown: undefined }],
    ['a bad expiry', { ...good, expiresAt: 'soon' }],
    ['a non-string remark', { ...good, remark: 42 }],
  ])('rejects %s', (_what, value) => {
    expect(isOrder(value)).toBe(false);
  });

  it('order numbers follow out_trade_no rules', () => {
    expect(isOrderNo('WP20261123ABCDEF')).toBe(true);
    expect(isOrderNo('a-b_c|d*e')).toBe(true);
    expect(isOrderNo('short')).toBe(false);
    expect(isOrderNo('x'.repeat(33))).toBe(false);
    expect(isOrderNo('../../etc')).toBe(false);
    expect(isOrderNo(123456789)).toBe(false);
  });
});

const en = messagesFor('en');
const zh = messagesFor('zh');

describe('messages for people', () => {
  it('maps transport failures and server codes', () => {
    expect(describeError(new HttpError('network', 'x'), en)).toMatch(/Cannot reach the shop/);
    expect(describeError(new HttpError('timeout', 'x'), en)).toMatch(/too long/);
    expect(describeError(new HttpError('malformed', 'x'), en)).toMatch(/could not read/);
    expect(describeError(new HttpError('http', 'x', 403, 'FORBIDDEN'), en)).toBe(
      'This order belongs to another WeChat account.',
    );
    expect(describeError(new HttpError('http', 'items[0]: bad', 400, 'VALIDATION_ERROR'), en)).toBe(
      'The order was not accepted. Please go back and try again.',
    );
    expect(describeError(new HttpError('http', 'boom', 500, 'INTERNAL'), en)).toMatch(
      /could not handle/,
    );
    expect(describeError(new Error('x'), en)).toBe('Something went wrong. Please try again.');
  });

  it('turns payment errMsgs into advice, or shows the reason shortened', () => {
    expect(failReason('requestPluginPayment:fail something odd')).toBe('something odd');
    expect(failReason('requestPayment:fail')).toBe('');
    expect(failReason(undefined)).toBe('');
    expect(paymentFailureText('requestPayment:fail', en)).toBe('Payment failed: unknown error');
    expect(
      paymentFailureText(
        'requestPluginPayment:fail POST /api/session failed: request:fail ECONNREFUSED',
        en,
      ),
    ).toBe('Payment failed: cannot reach the shop. Check your connection and try again.');
    expect(
      paymentFailureText(
        'requestPluginPayment:fail POST /api/orders/X/pay answered HTTP 409 ORDER_NOT_PAYABLE: order expired',
        en,
      ),
    ).toBe('Payment failed: this order can no longer be paid.');
    expect(paymentFailureText('requestPayment:fail timeout', en)).toMatch(/too long/);
    expect(
      paymentFailureText(
        'requestPayment:fail functional pages do not run in WeChat DevTools: test payment on a real device',
        en,
      ),
    ).toBe('Payments need a real device: WeChat DevTools cannot run them.');
    expect(paymentFailureText('requestPayment:fail insufficient balance', en)).toBe(
      'Payment failed: insufficient balance',
    );
    const long = paymentFailureText(`requestPayment:fail ${'z'.repeat(200)}`, en);
    expect(long).toHaveLength(60);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('messages in Chinese, the default', () => {
  it('says every contract code and transport failure in Chinese', () => {
    expect(describeError(new HttpError('network', 'x'), zh)).toBe(
      '无法连接商城，请检查网络后重试。',
    );
    expect(describeError(new HttpError('http', 'x', 403, 'FORBIDDEN'), zh)).toBe(
      '该订单属于其他微信账号。',
    );
    expect(describeError(new HttpError('http', 'x', 409, 'ORDER_NOT_PAYABLE'), zh)).toBe(
      '该订单已无法支付。',
    );
    // A code from a newer server that this build does not know.
    const unknown = new HttpError('http', 'x', 418, 'TEAPOT' as never);
    expect(describeError(unknown, zh)).toBe(zh.api.INTERNAL);
    expect(describeError(new Error('x'), zh)).toBe('出了点问题，请重试。');
    for (const text of [...Object.values(zh.api), ...Object.values(zh.transport)]) {
      expect(text).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it("says a refused link or cart in the shopper's language, and English in logs", () => {
    const error = new InputError({ kind: 'quantity-too-large', sku: 'TEA', max: 99 });
    expect(error.message).toBe('The quantity of TEA must be 1 to 99.');
    expect(describeError(error, zh)).toBe('TEA 的数量应为 1 到 99。');
    expect(describeError(error, en)).toBe(error.message);
  });

  it('turns payment errMsgs into Chinese advice, shortened to a toast', () => {
    expect(
      paymentFailureText(
        'requestPluginPayment:fail POST /api/session failed: request:fail ECONNREFUSED',
        zh,
      ),
    ).toBe('支付失败：无法连接商城，请检查网络后重试。');
    expect(paymentFailureText('requestPayment:fail insufficient balance', zh)).toBe(
      '支付失败：insufficient balance',
    );
    expect(paymentFailureText('requestPayment:fail', zh)).toBe('支付失败：未知错误');
    const long = paymentFailureText(`requestPayment:fail ${'余'.repeat(200)}`, zh);
    expect(long).toHaveLength(zh.toastMaxLength);
    expect(long.endsWith('…')).toBe(true);
  });

  it('has the same keys in both tables', () => {
    const keys = (o: object): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === 'object' && v !== null ? keys(v).map((sub) => `${k}.${sub}`) : [k],
      );
    expect(keys(zh).sort()).toEqual(keys(en).sort());
  });
});
