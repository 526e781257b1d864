/**
 * API v2 notifications and the pure pieces of the v2 adapter, built here from WeChat's documented
 * rules (test code signs with node:crypto directly, never with the server's signer): signed XML
 * payments, encrypted `req_info` refunds, the XML acknowledgement, times and the 128-byte body.
 */
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { NotificationRejected } from '../../../server/wechat/pay/port';
import { truncateUtf8 } from '../../../server/wechat/pay/v2/gateway';
import { readV2Notification, v2NotifyAnswer } from '../../../server/wechat/pay/v2/notify';
import { rfc3339FromV2, v2Time } from '../../../server/wechat/pay/v2/time';

const KEY = 'qazwsxedcrfvtgbyhnujmikolp111111';

function signed(fields: Record<string, string>, type: 'MD5' | 'HMAC-SHA256'): string {
  const text = `${Object.keys(fields)
    .filter((k) => fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&')}&key=${KEY}`;
  const sign = (
    type === 'MD5'
      ? createHash('md5').update(text).digest('hex')
      : createHmac('sha256', KEY).update(text).digest('hex')
  ).toUpperCase();
  return xml({ ...fields, sign });
}

const xml = (fields: Record<string, string>, root = 'xml'): string =>
  `<${root}>${Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join('')}</${root}>`;

const payment = (extra: Record<string, string> = {}): Record<string, string> => ({
  appid: 'wx2421b1c4370ec43b',
  mch_id: '10000100',
  nonce_str: '5d2b6c2a8db53831f7eda20af46e531c',
  result_code: 'SUCCESS',
  return_code: 'SUCCESS',
  openid: 'oUpF8uMEb4qRXf22hE3X68TekukE',
  trade_type: 'JSAPI',
  bank_type: 'CFT',
  total_fee: '28500',
  cash_fee: '28500',
  fee_type: 'CNY',
  transaction_id: '1004400740201409030005092168',
  out_trade_no: 'WP20261204ABCDEFGHJKMN',
  time_end: '20261204101530',
  is_subscribe: 'N',
  ...extra,
});

const read = (body: string, type: 'MD5' | 'HMAC-SHA256' = 'MD5') =>
  readV2Notification(Buffer.from(body), KEY, type);

function rejection(fn: () => unknown): NotificationRejected {
  try {
    fn();
  } catch (err) {
    if (err instanceof NotificationRejected) return err;
    throw err;
  }
  throw new Error('expected a NotificationRejected');
}

describe('v2 payment notifications', () => {
  it.each(['MD5', 'HMAC-SHA256'] as const)('reads a %s-signed payment', (type) => {
    const extra: Record<string, string> = type === 'HMAC-SHA256' ? { sign_type: type } : {};
    const n = read(signed(payment(extra), type), type);
    expect(n).toEqual({
      id: 'v2:1004400740201409030005092168',
      eventType: 'TRANSACTION.SUCCESS',
      kind: 'transaction',
      transaction: {
        appid: 'wx2421b1c4370ec43b',
        mchid: '10000100',
        out_trade_no: 'WP20261204ABCDEFGHJKMN',
        transaction_id: '1004400740201409030005092168',
        trade_state: 'SUCCESS',
        success_time: '2026-12-04T10:15:30+08:00',
        payer: { openid: 'oUpF8uMEb4qRXf22hE3X68TekukE' },
        amount: { total: 28500, payer_total: 28500, currency: 'CNY' },
      },
    });
  });

  it.each<[string, () => string, number]>([
    [
      'a wrong signature',
      () =>
        signed(payment(), 'MD5').replace(
          /<sign>.*<\/sign>/,
          '<sign><![CDATA[0123456789ABCDEF0123456789ABCDEF]]></sign>',
        ),
      401,
    ],
    ['no signature', () => xml(payment()), 401],
    [
      'a changed amount after signing',
      () => signed(payment(), 'MD5').replace('28500]]></total_fee>', '1]]></total_fee>'),
      401,
    ],
    [
      'another sign type than ours',
      () => signed(payment({ sign_type: 'HMAC-SHA256' }), 'HMAC-SHA256'),
      401,
    ],
    ['return_code FAIL', () => signed(payment({ return_code: 'FAIL' }), 'MD5'), 400],
    [
      'a DTD',
      () => `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x "y">]><xml><a>&x;</a></xml>`,
      400,
    ],
    [
      'an external entity',
      () => `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><a>&x;</a></xml>`,
      400,
    ],
    ['nested elements', () => '<xml><a><b>1</b></a></xml>', 400],
    ['not XML at all', () => '{"return_code":"SUCCESS"}', 400],
    ['a control character', () => signed(payment({ attach: 'a\u0001b' }), 'MD5'), 400],
  ])('refuses %s', (_what, body, status) => {
    expect(rejection(() => read(body())).status).toBe(status);
  });

  it('a signed FAIL result is read as nothing to apply', () => {
    const n = read(signed(payment({ result_code: 'FAIL', err_code: 'SYSTEMERROR' }), 'MD5'));
    expect(n.kind).toBe('other');
  });
});

describe('v2 refund notifications (req_info)', () => {
  const encrypt = (plain: string, key = KEY): string => {
    const aesKey = Buffer.from(createHash('md5').update(key).digest('hex'));
    const c = createCipheriv('aes-256-ecb', aesKey, null);
    return Buffer.concat([c.update(plain, 'utf8'), c.final()]).toString('base64');
  };
  const info = xml(
    {
      out_refund_no: 'RF20261204ABCDEFGHJKMN',
      out_trade_no: 'WP20261204ABCDEFGHJKMN',
      refund_id: '50000408942018111907145868882',
      refund_fee: '100',
      total_fee: '28500',
      refund_status: 'SUCCESS',
      success_time: '2026-12-04 10:20:00',
      transaction_id: '1004400740201409030005092168',
    },
    'root',
  );
  const notice = (reqInfo: string) =>
    xml({
      return_code: 'SUCCESS',
      appid: 'wx2421b1c4370ec43b',
      mch_id: '10000100',
      nonce_str: 'abc',
      req_info: reqInfo,
    });

  it('decrypts with the MD5 of the APIv2 key', () => {
    expect(read(notice(encrypt(info)))).toMatchObject({
      kind: 'refund',
      eventType: 'REFUND.SUCCESS',
      refund: {
        mchid: '10000100',
        out_refund_no: 'RF20261204ABCDEFGHJKMN',
        out_trade_no: 'WP20261204ABCDEFGHJKMN',
        refund_status: 'SUCCESS',
        amount: { refund: 100, total: 28500 },
      },
    });
  });

  it('refuses req_info encrypted with another key, or garbage', () => {
    expect(
      rejection(() => read(notice(encrypt(info, 'another-key-another-key-another!')))).status,
    ).toBe(401);
    expect(rejection(() => read(notice('bm90IGVuY3J5cHRlZA==')))).toBeInstanceOf(
      NotificationRejected,
    );
  });
});

describe('v2 pieces', () => {
  it('acknowledges in WeChat’s XML and refuses with FAIL', () => {
    expect(v2NotifyAnswer()).toEqual({
      status: 200,
      contentType: 'text/xml; charset=utf-8',
      body: '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
    });
    const fail = v2NotifyAnswer({ status: 401, message: 'signature\nrejected' });
    expect(fail.status).toBe(401);
    expect(fail.body).toBe(
      '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[signature rejected]]></return_msg></xml>',
    );
  });

  it('writes and reads China-time yyyyMMddHHmmss', () => {
    expect(v2Time(Date.parse('2026-12-04T02:15:30.900Z'))).toBe('20261204101530');
    expect(rfc3339FromV2('20261204101530')).toBe('2026-12-04T10:15:30+08:00');
    expect(rfc3339FromV2('2026-12-04')).toBeUndefined();
  });

  it('cuts the body to 128 UTF-8 bytes without splitting a character', () => {
    const cut = truncateUtf8('龙井'.repeat(40), 128);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(128);
    expect(cut).toBe('龙井'.repeat(21));
    expect(truncateUtf8('short', 128)).toBe('short');
  });
});
