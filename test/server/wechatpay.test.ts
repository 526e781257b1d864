/**
 * WeChat Pay v3 crypto steps on fixed vectors. Signatures are RSA PKCS#1 v1.5 (deterministic),
 * so each expected value was produced once with the openssl CLI from the fixture keys; the
 * AES-GCM ciphertext with Python's `cryptography`. Neither shares code with server/.
 */
import { createPrivateKey, createPublicKey, createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DecryptError, decryptResource } from '../../server/wechat/pay/aead';
import { buildPaySignMessage, buildRequestPaymentArgs } from '../../server/wechat/pay/pay-sign';
import {
  buildAuthorization,
  buildRequestMessage,
  randomNonce,
  signMessage,
  signRequest,
} from '../../server/wechat/pay/sign';
import {
  SignatureError,
  buildResponseMessage,
  loadPlatformKeys,
  verifySignature,
} from '../../server/wechat/pay/verify';
import type { SignatureHeaders, VerifyFailure } from '../../server/wechat/pay/verify';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const merchantKey = createPrivateKey(fixture('merchant-key.pem'));
const certKey = createPrivateKey(fixture('platform-cert-key.pem'));
const pubKeyModeKey = createPrivateKey(fixture('platform-pubkey-key.pem'));

const CERT_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
const PUB_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const keys = loadPlatformKeys({
  [CERT_SERIAL]: fixture('platform-cert-pub.pem'),
  [PUB_KEY_ID]: fixture('platform-pubkey-pub.pem'),
});

describe('request signing', () => {
  // Official example (API v3 signing guide): GET /v3/certificates at 1554208460.
  const OFFICIAL_MESSAGE =
    'GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n';
  const OFFICIAL_SIGNATURE_WITH_FIXTURE_KEY =
    'H6gS+jxCqzA4YTI9mbuHVEY3uTTyMzC9172hvjxTI7Ymjj0jW6kKWV2RArwbroV45+o4Me751Jqf35Uyaos1alBAE+aIAqtXE4D69HoIqcPb3z6AHYI6Ka7O8nWcKvXZIAueZVL8R4n85/d07Vy6HIsAMBj5BvO03RVXOieuaHoxI534mTzkVSWHCVegFXmeruhlpyrR9gtezMd6kjBohU6NDPS01UxyZM2AvTSokAJB1MNJ+0KfGsMrC7DagqY/ol7hlCA6B+/ivplvWfuvCyTa9y7aQQ+Z8uPPnais6+pSQ0szk9gIhy9R1vcaAa/p4hwkNQaRM2BuzZOo0o0yCg==';

  it('builds the official string to sign for a GET (empty body line)', () => {
    expect(
      buildRequestMessage(
        'GET',
        '/v3/certificates',
        '1554208460',
        '593BEC0C930BF1AFEB40B4A08C8FB242',
        '',
      ),
    ).toBe(OFFICIAL_MESSAGE);
  });

  it('keeps the query string and the exact body bytes', () => {
    const body = '{"mchid":"1230000109","amount":{"total":1}}';
    expect(buildRequestMessage('post', '/v3/x?mchid=1230000109', '1', 'N', body)).toBe(
      `POST\n/v3/x?mchid=1230000109\n1\nN\n${body}\n`,
    );
  });

  it('signs with RSA-SHA256 to the value openssl gives for the same key', () => {
    expect(signMessage(OFFICIAL_MESSAGE, merchantKey)).toBe(OFFICIAL_SIGNATURE_WITH_FIXTURE_KEY);
  });

  it('formats the Authorization header like the official example', () => {
    expect(
      buildAuthorization({
        mchId: '1900009191',
        nonce: '593BEC0C930BF1AFEB40B4A08C8FB242',
        timestamp: '1554208460',
        serialNo: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
        signature: 'SIG',
      }),
    ).toBe(
      'WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",' +
        'timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",signature="SIG"',
    );
  });

  it('signRequest ties it together', () => {
    const header = signRequest({
      method: 'GET',
      pathWithQuery: '/v3/certificates',
      body: '',
      mchId: '1900009191',
      serialNo: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
      privateKey: merchantKey,
      timestamp: 1554208460.9,
      nonce: '593BEC0C930BF1AFEB40B4A08C8FB242',
    });
    expect(header).toContain(`signature="${OFFICIAL_SIGNATURE_WITH_FIXTURE_KEY}"`);
    expect(header).toContain('timestamp="1554208460"');
  });

  it('makes 32-char nonces', () => {
    const a = randomNonce();
    expect(a).toMatch(/^[0-9A-Z]{32}$/);
    expect(randomNonce()).not.toBe(a);
  });
});

describe('paySign', () => {
  // Official example (小程序调起支付): four lines, each ending in \n.
  const MESSAGE =
    'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n';
  const SIGNATURE_WITH_FIXTURE_KEY =
    'Jw0Up/vbQBc8c5rmvlzr6Q/XuoFcry5DMNFruXkRhPYvFdGe1fKhunyuxOV1OPJlYawTpBoOjf3W7//U/KAHBjG6V/g7MqK90UhqJPebzKkTULKnLdb/JRw45U9GOpJOP31nOPhU67S3S/+0nb3Ww4Wn+oZNofwy7ihBmS6wF2nGRxaAkRPhyLA3ZFLf1lyw6Cdpe98wGtgaKcMEVKq/P4mPEmFxK8imRVA3fcdMAqdBn+6YEMQhdhmuDzO9ucLh4V27iX2bzyWn3fyfZg7bnc3Hx0f32jifPrTvGq7c23m/o07t4SmMglnt7SaHLV5qrkBkpPqfad3gFUHUL0ZUvw==';

  it('builds the official four-line message', () => {
    expect(
      buildPaySignMessage(
        'wx8888888888888888',
        '1414561699',
        '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
        'prepay_id=wx201410272009395522657a690389285100',
      ),
    ).toBe(MESSAGE);
  });

  it('answers requestPaymentArgs with a string timeStamp and RSA paySign', () => {
    const args = buildRequestPaymentArgs({
      appId: 'wx8888888888888888',
      prepayId: 'wx201410272009395522657a690389285100',
      privateKey: merchantKey,
      timestamp: 1414561699,
      nonce: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    });
    expect(args).toEqual({
      timeStamp: '1414561699',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'RSA',
      paySign: SIGNATURE_WITH_FIXTURE_KEY,
    });
  });
});

describe('response and notification verification', () => {
  const body = Buffer.from('{"prepay_id":"wx26112221580621e9b071c00d9e093b0000"}', 'utf8');
  const now = 1_700_000_000;
  const sign = (
    key: ReturnType<typeof createPrivateKey>,
    ts: string,
    nonce: string,
    b: Buffer,
  ): string =>
    createSign('RSA-SHA256')
      .update(buildResponseMessage(ts, nonce, b))
      .sign(key, 'base64');
  const headersFor = (
    serial: string,
    key = serial === PUB_KEY_ID ? pubKeyModeKey : certKey,
    ts = String(now),
  ): SignatureHeaders => ({
    timestamp: ts,
    nonce: 'c5ac7061fccab6bf3e254dcf98995b8c',
    serial,
    signature: sign(key, ts, 'c5ac7061fccab6bf3e254dcf98995b8c', body),
  });
  const failure = (fn: () => void): VerifyFailure | undefined => {
    try {
      fn();
      return undefined;
    } catch (err) {
      if (err instanceof SignatureError) return err.reason;
      throw err;
    }
  };

  it('builds TIMESTAMP\\nNONCE\\nBODY\\n over raw bytes', () => {
    expect(buildResponseMessage('1', 'n', Buffer.from('{"a": 1}')).toString()).toBe(
      '1\nn\n{"a": 1}\n',
    );
  });

  it('accepts a platform-certificate serial and a public-key id, both trusted at once', () => {
    expect(
      failure(() => verifySignature({ headers: headersFor(CERT_SERIAL), body, keys, now })),
    ).toBeUndefined();
    expect(
      failure(() => verifySignature({ headers: headersFor(PUB_KEY_ID), body, keys, now })),
    ).toBeUndefined();
  });

  it('rejects a signature made with the other trusted key', () => {
    expect(
      failure(() =>
        verifySignature({ headers: headersFor(CERT_SERIAL, pubKeyModeKey), body, keys, now }),
      ),
    ).toBe('bad_signature');
  });

  it('rejects one changed byte (even whitespace: no re-serialising)', () => {
    const h = headersFor(PUB_KEY_ID);
    const changed = Buffer.from(body.toString().replace(':', ': '));
    expect(failure(() => verifySignature({ headers: h, body: changed, keys, now }))).toBe(
      'bad_signature',
    );
  });

  it('rejects an unknown serial', () => {
    expect(
      failure(() =>
        verifySignature({
          headers: { ...headersFor(CERT_SERIAL), serial: 'ABCDEF' },
          body,
          keys,
          now,
        }),
      ),
    ).toBe('unknown_serial');
  });

  it('rejects SIGNTEST probes before anything else', () => {
    const h = { ...headersFor(PUB_KEY_ID), signature: 'WECHATPAY/SIGNTEST/abcdefgh' };
    expect(failure(() => verifySignature({ headers: h, body, keys, now }))).toBe('probe');
  });

  it('enforces the 5-minute window both ways', () => {
    expect(
      failure(() =>
        verifySignature({
          headers: headersFor(CERT_SERIAL, certKey, String(now - 300)),
          body,
          keys,
          now,
        }),
      ),
    ).toBeUndefined();
    expect(
      failure(() =>
        verifySignature({
          headers: headersFor(CERT_SERIAL, certKey, String(now - 301)),
          body,
          keys,
          now,
        }),
      ),
    ).toBe('stale_timestamp');
    expect(
      failure(() =>
        verifySignature({
          headers: headersFor(CERT_SERIAL, certKey, String(now + 301)),
          body,
          keys,
          now,
        }),
      ),
    ).toBe('stale_timestamp');
    expect(
      failure(() =>
        verifySignature({ headers: headersFor(CERT_SERIAL, certKey, 'soon'), body, keys, now }),
      ),
    ).toBe('stale_timestamp');
  });

  it('rejects missing headers', () => {
    expect(
      failure(() =>
        verifySignature({
          headers: { ...headersFor(CERT_SERIAL), nonce: undefined },
          body,
          keys,
          now,
        }),
      ),
    ).toBe('missing_headers');
  });

  it('does not trust a key it was not given', () => {
    const onlyCert = loadPlatformKeys({
      [CERT_SERIAL]: createPublicKey(certKey).export({ type: 'spki', format: 'pem' }).toString(),
    });
    expect(
      failure(() =>
        verifySignature({ headers: headersFor(PUB_KEY_ID), body, keys: onlyCert, now }),
      ),
    ).toBe('unknown_serial');
  });
});

describe('AEAD_AES_256_GCM', () => {
  const apiV3Key = '0123456789abcdefghijABCDEFGHIJ._';
  const resource = {
    algorithm: 'AEAD_AES_256_GCM',
    nonce: 'fJ4Rr0xJ8wQz',
    associated_data: 'transaction',
    original_type: 'transaction',
    ciphertext:
      '9u84RlflS3112h9WIhGXwC1OQkp2KEcmi17dP/3LPON+jsD1oX5V1xM+8+26QFO3zxftRjpOlntkQuHG9NPFke2E1o23+WqFbe03zkdZTEyOJKD236lgqYFnvSNBdJqj5jqmiXvKQDnkNGNPUUEBTJFGzrSm/FtS13uBshqBKAjnuH3pcDpNrD3FEWMF9/+/IBuSyhuA1j1v8JHnU6fYGBjhxAZhUntPfpk84ykjJpm0K5HDFsZykuxY9Dn/4oFZmlmH6hOF4m8689BtioFPFKPI5PadSy/MxTM=',
  };

  it('decrypts a vector made by an independent implementation', () => {
    expect(JSON.parse(decryptResource(resource, apiV3Key))).toEqual({
      appid: 'wx8888888888888888',
      mchid: '1230000109',
      out_trade_no: '1217752501201407033233368018',
      trade_state: 'SUCCESS',
      amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
    });
  });

  it.each([
    ['a different AAD', { ...resource, associated_data: 'certificate' }, apiV3Key],
    ['a different key', resource, '0123456789abcdefghijABCDEFGHIJ.-'],
    [
      'a flipped ciphertext bit',
      { ...resource, ciphertext: `8${resource.ciphertext.slice(1)}` },
      apiV3Key,
    ],
    ['a short nonce', { ...resource, nonce: 'short' }, apiV3Key],
    ['another algorithm', { ...resource, algorithm: 'AEAD_SM4_GCM' }, apiV3Key],
    ['a truncated ciphertext', { ...resource, ciphertext: 'AAAA' }, apiV3Key],
    ['a short key', resource, 'short'],
  ])('refuses %s', (_name, r, key) => {
    expect(() => decryptResource(r, key)).toThrow(DecryptError);
  });
});
