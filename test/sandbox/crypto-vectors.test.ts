import { createPrivateKey, createPublicKey } from 'node:crypto';
import { decryptResource, encryptResource } from '../../sandbox/crypto/aead';
import {
  parseAuthorization,
  paySignMessage,
  requestMessage,
  responseMessage,
  signRsaSha256,
  verifyRsaSha256,
} from '../../sandbox/crypto/sign';

// Fixed vectors produced outside Node (Python `cryptography` AESGCM and `openssl dgst -sha256 -sign`).
const AES_KEY = '0123456789abcdefghijklmnopqrstuv';
const AES_NONCE = 'fGmPQ9sWKw3Z';
const AES_PLAIN = '{"out_trade_no":"ORDER_0001","trade_state":"SUCCESS","amount":{"total":100}}';
const AES_CIPHER =
  '6GCSHZI24eEzG2Gw3dIZpAhnYP0lfCXkhywb781rhUb+nZu7LjQwYBIbG1UpquAPmjd5eIj/ymCIu7YdX+I4ONovb6ciBzBHCj12COkptyz948kxAZcppE+lKmo=';

// A throwaway 1024-bit test key: only used to pin the RSA-SHA256 PKCS#1 v1.5 output.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBALT1nBFkDldGdOBL
LBdK8NtU7RkdtFmvNxrkNYvG6ROmwl293vnTXmMwrSq3S8uPcz5uLIzUfxFuibGb
g1N1gRYA8kaSjKQAFXviKNV/1zzN3aXCctuApyU2O8sL8wlCRPfoIUH+7bhACU/j
J3pamGIAvWZ5U0qSQRWXVtrv5pYxAgMBAAECgYBVzQb87/Ykx5FvL/Vt7eiZ9oCd
Igp7Y6q7I22IIv4shSsvi3GH/wKIAXJ6CIL1t8Sq205gT/kX6NN81QHFtrdHTGVl
BlyiRWlZHfZHPkspRoJlsfTej0Yg1RnWiHNpRYY8oU8H87onzaNDRzqdIoSHBYn5
muh4YPYxR3ZBGrQ5aQJBAO6ldMf7bORIILq0yz62ypK5eWyyAQnbiYBQskJDCVPy
7nmo+6qfiWTvZej0mlmmk9XN29E7pVuN6YHmu5PuPhMCQQDCHkb+JHaTrIvhtkRQ
XUxvmyq72vs3/yFcOsgZPOld0q+4F0grIQYktfVK+AiLNEKTY/DWo4Gcq4qdLXxU
dlMrAkEAgfU2UEU5+mLQ9/vGhqNyU06PskKJUD3udiL7wBvTc5Tiivwb+MGiR4Yb
AC5b86BD93WAVEPf+6ifVa85zQg7YwJAK4m07I1rFwYNPauuuMOkQCfyNr4PuGh9
p/z7IkX6JXP6u3RlWF8IzLUO9iiZafdnsz0oKEv15xjGdyhbiWocjwJAMWwK3JQV
DpsVHI+GPgpuAC15jl408hwhC/dHHRgycTR/yMoM0SP4xjCp9HkOj/RKBrMU2urS
3rtXEZzENfrdtA==
-----END PRIVATE KEY-----
`;
const SIGNED_MESSAGE =
  'POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"appid":"wxd678efh567hg6787"}\n';
const SIGNATURE =
  'OkBC3Hy29klwrxceqSC9WGqwVd/SCoRJU9m+dFf8QaG9ZDAtgxhCVG/SSKmtDuXLAikpC+gfKFtcBfknvFchgI+40ocL/1g1issW0Qzu6P0BpjHdWPNjXpK8oHCiLqB9F5Id+li+Hy2mSfNH8WtHboIG/qNI9qcQ8/QeEOzFzjM=';

describe('sandbox crypto against fixed vectors', () => {
  test('AEAD_AES_256_GCM encrypts and decrypts the fixed vector', () => {
    expect(encryptResource(AES_KEY, AES_NONCE, 'transaction', AES_PLAIN)).toBe(AES_CIPHER);
    expect(decryptResource(AES_KEY, AES_NONCE, 'transaction', AES_CIPHER)).toBe(AES_PLAIN);
  });

  test('AES-GCM refuses a wrong AAD, a flipped byte and a short ciphertext', () => {
    expect(() => decryptResource(AES_KEY, AES_NONCE, 'refund', AES_CIPHER)).toThrow();
    const bytes = Buffer.from(AES_CIPHER, 'base64');
    bytes[3] = (bytes[3] ?? 0) ^ 1;
    expect(() =>
      decryptResource(AES_KEY, AES_NONCE, 'transaction', bytes.toString('base64')),
    ).toThrow();
    expect(() => decryptResource(AES_KEY, AES_NONCE, 'transaction', 'AAAA')).toThrow();
    expect(() => encryptResource('short', AES_NONCE, 'x', 'y')).toThrow('32 bytes');
  });

  test('signature strings are built exactly as documented', () => {
    expect(
      requestMessage(
        'POST',
        '/v3/pay/transactions/jsapi',
        '1554208460',
        '593BEC0C930BF1AFEB40B4A08C8FB242',
        '{"appid":"wxd678efh567hg6787"}',
      ),
    ).toBe(SIGNED_MESSAGE);
    expect(requestMessage('GET', '/v3/x?mchid=1', '1', 'N', '')).toBe(
      'GET\n/v3/x?mchid=1\n1\nN\n\n',
    );
    expect(responseMessage('1554209980', 'c5ac7061fccab6bf3e254dcf98995b8c', '{"a":1}')).toBe(
      '1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{"a":1}\n',
    );
    expect(
      paySignMessage(
        'wx8888888888888888',
        '1414561699',
        '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
        'prepay_id=123',
      ),
    ).toBe('wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=123\n');
  });

  test('RSA-SHA256 matches the openssl signature and verifies', () => {
    const key = createPrivateKey(TEST_KEY);
    expect(signRsaSha256(SIGNED_MESSAGE, key)).toBe(SIGNATURE);
    const pub = createPublicKey(key);
    expect(verifyRsaSha256(SIGNED_MESSAGE, SIGNATURE, pub)).toBe(true);
    expect(verifyRsaSha256(`${SIGNED_MESSAGE} `, SIGNATURE, pub)).toBe(false);
    expect(verifyRsaSha256(SIGNED_MESSAGE, `WECHATPAY/SIGNTEST/${SIGNATURE}`, pub)).toBe(false);
    expect(verifyRsaSha256(SIGNED_MESSAGE, 'not base64!', pub)).toBe(false);
  });

  test('Authorization header parsing', () => {
    expect(
      parseAuthorization(
        'WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="N",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",signature="c2ln"',
      ),
    ).toEqual({
      mchid: '1900009191',
      nonce_str: 'N',
      timestamp: '1554208460',
      serial_no: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
      signature: 'c2ln',
    });
    expect(parseAuthorization(undefined)).toMatch(/missing/);
    expect(parseAuthorization('Bearer x')).toMatch(/scheme/);
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid=1')).toMatch(/malformed/);
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2"')).toMatch(
      /duplicate/,
    );
    expect(
      parseAuthorization(
        'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="s"',
      ),
    ).toMatch(/signature/);
  });
});
