/**
 * API v2's protocol pieces on WeChat's own published vectors (signature rule, requestPayment
 * paySign) and on hostile XML: each refusal is an XmlError and yields nothing.
 */
import { paySignV2, signV2, v2SigningString, verifyV2 } from '../../../server/wechat/pay/v2/sign';
import {
  MAX_V2_XML_BYTES,
  XmlError,
  buildV2Xml,
  parseV2Xml,
} from '../../../server/wechat/pay/v2/xml';

/** The signature guide's example request and APIv2 key. */
const GUIDE = {
  fields: {
    appid: 'wxd930ea5d5a258f4f',
    mch_id: '10000100',
    device_info: '1000',
    body: 'test',
    nonce_str: 'ibuaiVcKdpRxkhJA',
  },
  key: '192006250b4c09247ec02edce69f6a2d',
};

describe('v2 signatures: the official vectors', () => {
  test('the string to sign: non-empty fields but sign, ASCII order, then the key', () => {
    expect(v2SigningString({ ...GUIDE.fields, sign: 'X', attach: '' }, GUIDE.key)).toBe(
      'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=192006250b4c09247ec02edce69f6a2d',
    );
  });

  test('MD5 and HMAC-SHA256 of the guide example', () => {
    expect(signV2(GUIDE.fields, GUIDE.key, 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(signV2(GUIDE.fields, GUIDE.key, 'HMAC-SHA256')).toBe(
      '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6',
    );
  });

  test('the JSAPI paySign example', () => {
    const args = {
      appId: 'wxd678efh567hg6787',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      package: 'prepay_id=wx2017033010242291fcfe0db70013231072',
      signType: 'MD5' as const,
      timeStamp: '1490840662',
    };
    expect(paySignV2(args, 'qazwsxedcrfvtgbyhnujmikolp111111')).toBe(
      '22D9B4E54AB1950F51E0649E8810ACD6',
    );
  });

  test('verification: the right signature, and nothing else', () => {
    const sign = signV2(GUIDE.fields, GUIDE.key, 'MD5');
    expect(verifyV2({ ...GUIDE.fields, sign }, GUIDE.key, 'MD5')).toBe(true);
    expect(verifyV2({ ...GUIDE.fields, sign }, GUIDE.key, 'HMAC-SHA256')).toBe(false);
    expect(verifyV2({ ...GUIDE.fields, sign: sign.toLowerCase() }, GUIDE.key, 'MD5')).toBe(false);
    expect(verifyV2({ ...GUIDE.fields, body: 'test2', sign }, GUIDE.key, 'MD5')).toBe(false);
    expect(verifyV2({ ...GUIDE.fields, sign }, `${GUIDE.key.slice(1)}x`, 'MD5')).toBe(false);
    expect(verifyV2({ ...GUIDE.fields }, GUIDE.key, 'MD5')).toBe(false);
    expect(verifyV2({ ...GUIDE.fields, sign: `${sign}00` }, GUIDE.key, 'MD5')).toBe(false);
  });
});

describe('v2 XML', () => {
  test('reads CDATA and escaped text as sent, numbers as strings', () => {
    const body =
      '<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>0100</total_fee>' +
      '<body>茶&amp;杯 &lt;2&gt;</body><attach></attach>\n</xml>';
    expect(parseV2Xml(body)).toEqual({
      return_code: 'SUCCESS',
      total_fee: '0100',
      body: '茶&杯 <2>',
      attach: '',
    });
  });

  test('writes what it reads back, "]]>" included', () => {
    const fields = { appid: 'wx1', total_fee: 100, body: 'a]]>b<c>&d', nonce_str: 'n' };
    const xml = buildV2Xml(fields);
    expect(xml.startsWith('<xml><appid><![CDATA[wx1]]></appid><total_fee>100</total_fee>')).toBe(
      true,
    );
    expect(parseV2Xml(xml)).toEqual({ ...fields, total_fee: '100' });
  });

  test.each([
    ['a DTD with an entity', '<!DOCTYPE xml [<!ENTITY e "boom">]><xml><a>&e;</a></xml>'],
    [
      'an external entity',
      '<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><a>&e;</a></xml>',
    ],
    ['not XML', '{"return_code":"SUCCESS"}'],
    ['unclosed', '<xml><a>1</a>'],
    ['another root', '<root><a>1</a></root>'],
    ['two roots', '<xml><a>1</a></xml><xml><a>2</a></xml>'],
    ['a nested field', '<xml><a><b>1</b></a></xml>'],
    ['a repeated field', '<xml><a>1</a><a>2</a></xml>'],
    ['an attribute', '<xml><a x="1">1</a></xml>'],
    ['text in the root', '<xml>loose<a>1</a></xml>'],
    ['a control character', '<xml><a><![CDATA[x\u0001y]]></a></xml>'],
    ['an odd field name', '<xml><a-b>1</a-b></xml>'],
    ['a body over the limit', `<xml><a>${'x'.repeat(MAX_V2_XML_BYTES)}</a></xml>`],
  ])('refuses %s', (_name, body) => {
    expect(() => parseV2Xml(body)).toThrow(XmlError);
  });

  test('refuses to write what it could not read back', () => {
    expect(() => buildV2Xml({ 'a b': 'x' })).toThrow(XmlError);
    expect(() => buildV2Xml({ a: 'x\u0000' })).toThrow(XmlError);
    expect(() => buildV2Xml({ a: 1.5 })).toThrow(XmlError);
  });
});
