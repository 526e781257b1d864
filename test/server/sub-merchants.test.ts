/** Partner mode's choice of sub-merchant: by host, then the default; disabled or unknown is a 403. */
import { SubMerchants } from '../../server/services/sub-merchants';

const HOST = 'wx1111111111111111';
const partner = (subMerchants: ConstructorParameters<typeof SubMerchants>[0]['subMerchants']) =>
  new SubMerchants({ payScheme: 'v3-partner', subMerchants });

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as { statusCode: number; code: string; message: string };
  }
  throw new Error('expected a refusal');
};

it('a host’s own sub-merchant first, then the default', () => {
  const s = partner([
    { subMchId: '1900000109', hosts: ['*'], enabled: true },
    { subMchId: '1900000110', hosts: [HOST], enabled: true },
  ]);
  expect(s.forNewOrder(HOST)).toBe('1900000110');
  expect(s.forNewOrder('wx2222222222222222')).toBe('1900000109');
  expect(s.forNewOrder(undefined)).toBe('1900000109');
});

it('without a default, the shop’s own order and unknown hosts are refused', () => {
  const s = partner([{ subMchId: '1900000110', hosts: [HOST], enabled: true }]);
  expect(refusal(() => s.forNewOrder(undefined))).toMatchObject({
    statusCode: 403,
    code: 'SUB_MERCHANT_UNAVAILABLE',
  });
  expect(refusal(() => s.forNewOrder('wx2222222222222222')).message).toBe(
    'no sub-merchant takes orders from host app wx2222222222222222',
  );
});

it('a sub-merchant disabled after its order was made takes no payment', () => {
  const s = partner([{ subMchId: '1900000110', hosts: ['*'], enabled: false }]);
  expect(refusal(() => s.assertPayable('1900000110')).message).toBe(
    'sub-merchant 1900000110 is disabled',
  );
  expect(refusal(() => s.assertPayable('1900000999')).message).toBe(
    'sub-merchant 1900000999 is no longer configured',
  );
});

it('is inert under the other schemes', () => {
  const s = new SubMerchants({ payScheme: 'v2' });
  expect(s.forNewOrder(HOST)).toBeNull();
  expect(() => s.assertPayable(null)).not.toThrow();
});
