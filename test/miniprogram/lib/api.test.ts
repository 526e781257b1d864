import type { Order } from '../../../typings';
import { isOrder, isOrderNo } from '../../../miniprogram/lib/api';
import { describeError, HttpError } from '../../../miniprogram/lib/http';
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

describe('messages for people', () => {
  it('maps transport failures and server codes', () => {
    expect(describeError(new HttpError('network', 'x'))).toMatch(/Cannot reach the shop/);
    expect(describeError(new HttpError('timeout', 'x'))).toMatch(/too long/);
    expect(describeError(new HttpError('malformed', 'x'))).toMatch(/could not read/);
    expect(describeError(new HttpError('http', 'x', 403, 'FORBIDDEN'))).toBe(
      'This order belongs to another WeChat account.',
    );
    expect(describeError(new HttpError('http', 'items[0]: bad', 400, 'VALIDATION_ERROR'))).toBe(
      'The order was not accepted: items[0]: bad',
    );
    expect(describeError(new HttpError('http', 'boom', 500, 'INTERNAL'))).toMatch(
      /could not handle/,
    );
    expect(describeError(new Error('x'))).toBe('Something went wrong. Please try again.');
  });

  it('turns payment errMsgs into advice, or shows the reason shortened', () => {
    expect(failReason('requestPluginPayment:fail something odd')).toBe('something odd');
    expect(failReason('requestPayment:fail')).toBe('unknown error');
    expect(failReason(undefined)).toBe('unknown error');
    expect(
      paymentFailureText(
        'requestPluginPayment:fail POST /api/session failed: request:fail ECONNREFUSED',
      ),
    ).toBe('Payment failed: cannot reach the shop. Check your connection and try again.');
    expect(
      paymentFailureText(
        'requestPluginPayment:fail POST /api/orders/X/pay answered HTTP 409 ORDER_NOT_PAYABLE: order expired',
      ),
    ).toBe('Payment failed: this order can no longer be paid.');
    expect(paymentFailureText('requestPayment:fail timeout')).toMatch(/too long/);
    expect(
      paymentFailureText(
        'requestPayment:fail functional pages do not run in WeChat DevTools: test payment on a real device',
      ),
    ).toBe('Payments need a real device: WeChat DevTools cannot run them.');
    expect(paymentFailureText('requestPayment:fail insufficient balance')).toBe(
      'Payment failed: insufficient balance',
    );
    const long = paymentFailureText(`requestPayment:fail ${'z'.repeat(200)}`);
    expect(long).toHaveLength(60);
    expect(long.endsWith('…')).toBe(true);
  });
});
