/** Environment → ServerConfig: defaults, the dev-credentials fallback, and clear errors. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../server/config';
import { FIXTURE_CERT_SERIAL, FIXTURE_PUB_KEY_ID, writeDevCredentials } from './fixture-config';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wpp-config-'));
  writeDevCredentials(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const devEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  DEV_CREDENTIALS_DIR: join(dir, 'cred'),
  ...extra,
});

describe('loadConfig', () => {
  it('takes the cashier mini program from CASHIER_APP_ID + CASHIER_APP_SECRET, else none', () => {
    expect(loadConfig(devEnv()).cashierApp).toBeUndefined();
    const c = loadConfig(
      devEnv({ CASHIER_APP_ID: 'wxcashier000000001', CASHIER_APP_SECRET: 'cashier-secret' }),
    );
    expect(c.cashierApp).toEqual({ appId: 'wxcashier000000001', appSecret: 'cashier-secret' });
  });

  it('with no WeChat env, uses the sandbox dev credentials and SANDBOX_URL', () => {
    const c = loadConfig(devEnv({ SANDBOX_URL: 'http://127.0.0.1:3999/' }));
    expect(c.port).toBe(3000);
    expect(c.appId).toBe('wxdev0000000000001');
    expect(c.wechatPayBase).toBe('http://127.0.0.1:3999');
    expect(c.wechatApiBase).toBe('http://127.0.0.1:3999');
    expect(Object.keys(c.platformPublicKeys).sort()).toEqual(
      [FIXTURE_CERT_SERIAL, FIXTURE_PUB_KEY_ID].sort(),
    );
    expect(c.databaseUrl).toMatch(/var[/\\]server\.sqlite$/);
    expect(c.adminToken).toBeUndefined();
    expect(c.orderTtlSeconds).toBe(900);
  });

  it('with WeChat env, defaults to the real WeChat endpoints', () => {
    const c = loadConfig({
      WECHAT_APP_ID: 'wxreal',
      WECHAT_APP_SECRET: 's',
      WECHAT_MCH_ID: '1230000109',
      WECHAT_MERCHANT_SERIAL_NO: 'SERIAL',
      WECHAT_MERCHANT_PRIVATE_KEY: join(dir, 'merchant-key.pem'),
      WECHAT_APIV3_KEY: '0123456789abcdefghijABCDEFGHIJ._',
      WECHAT_PLATFORM_KEYS: `${FIXTURE_PUB_KEY_ID}=${join(dir, 'pub.pem')}`,
      NOTIFY_URL: 'https://shop.example.com/api/pay/notify',
      DATABASE_URL: 'postgres://u:p@db/shop',
      PORT: '8080',
      ADMIN_TOKEN: 'admin',
    });
    expect(c.wechatPayBase).toBe('https://api.mch.weixin.qq.com');
    expect(c.wechatApiBase).toBe('https://api.weixin.qq.com');
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBe('postgres://u:p@db/shop');
    expect(c.merchantPrivateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(Object.keys(c.platformPublicKeys)).toEqual([FIXTURE_PUB_KEY_ID]);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be between/],
    [{ ORDER_TTL_SECONDS: '5' }, /ORDER_TTL_SECONDS must be between/],
    [{ JOBS_ENABLED: 'maybe' }, /JOBS_ENABLED must be true or false/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ SANDBOX_URL: 'ftp://x' }, /SANDBOX_URL must be an http\(s\) URL/],
    [{ NOTIFY_URL: 'https://x.example.com/n?a=1' }, /query string/],
    [
      { DEV_CREDENTIALS_DIR: '/nonexistent-dir' },
      /no WeChat configuration .* start the sandbox once/,
    ],
    [{ WECHAT_MCH_ID: '1230000109' }, /WECHAT_APP_ID is required/],
    [{ CASHIER_APP_ID: 'wxcashier000000001' }, /CASHIER_APP_ID and CASHIER_APP_SECRET/],
    [{ CASHIER_APP_SECRET: 's' }, /CASHIER_APP_ID and CASHIER_APP_SECRET/],
    [
      { CASHIER_APP_ID: 'wxdev0000000000001', CASHIER_APP_SECRET: 's' },
      /CASHIER_APP_ID must differ/,
    ],
  ])('refuses %o with a clear message', (env, message) => {
    expect(() => loadConfig(devEnv(env))).toThrow(ConfigError);
    expect(() => loadConfig(devEnv(env))).toThrow(message);
  });
});

describe('payment schemes (WECHAT_PAY_SCHEME)', () => {
  const real = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    WECHAT_APP_ID: 'wxreal0000000000001',
    WECHAT_APP_SECRET: 's',
    WECHAT_MCH_ID: '1230000109',
    ...extra,
  });
  const v3Keys: NodeJS.ProcessEnv = {
    WECHAT_MERCHANT_SERIAL_NO: 'SERIAL',
    WECHAT_MERCHANT_PRIVATE_KEY: 'merchant-key.pem',
    WECHAT_APIV3_KEY: '0123456789abcdefghijABCDEFGHIJ._',
    WECHAT_PLATFORM_KEYS: 'pub.pem',
  };
  // Paths are relative to the test's temp dir, which exists only once the tests run.
  const abs = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv =>
    Object.fromEntries(
      Object.entries(env).map(([k, v]) => {
        if (!v?.endsWith('.pem')) return [k, v];
        return [
          k,
          k === 'WECHAT_PLATFORM_KEYS' ? `${FIXTURE_PUB_KEY_ID}=${join(dir, v)}` : join(dir, v),
        ];
      }),
    );
  const load = (env: NodeJS.ProcessEnv) => loadConfig(abs(env));

  it('defaults to API v3 as a direct merchant', () => {
    expect(load(real(v3Keys)).payScheme).toBe('v3');
  });

  it('API v2 needs only its own key (and the certificate for refunds)', () => {
    const c = load(
      real({
        WECHAT_PAY_SCHEME: 'v2',
        WECHAT_V2_KEY: '192006250b4c09247ec02edce69f6a2d',
        WECHAT_V2_SIGN_TYPE: 'HMAC-SHA256',
      }),
    );
    expect(c.payScheme).toBe('v2');
    expect(c.v2).toEqual({
      key: '192006250b4c09247ec02edce69f6a2d',
      signType: 'HMAC-SHA256',
      secapiBase: 'https://api.mch.weixin.qq.com',
    });
    expect(c.apiV3Key).toBe('');
  });

  it('partner mode reads its sub-merchants and which hosts each takes', () => {
    const c = load(
      real({
        ...v3Keys,
        WECHAT_PAY_SCHEME: 'v3-partner',
        WECHAT_SUB_MERCHANTS: '1900000109=*; 1900000110=wx1111111111111111,wx2222222222222222',
        WECHAT_SUB_MERCHANTS_DISABLED: '1900000110',
      }),
    );
    expect(c.subMerchants).toEqual([
      { subMchId: '1900000109', hosts: ['*'], enabled: true },
      {
        subMchId: '1900000110',
        hosts: ['wx1111111111111111', 'wx2222222222222222'],
        enabled: false,
      },
    ]);
  });

  it.each<[NodeJS.ProcessEnv, RegExp]>([
    [{ WECHAT_PAY_SCHEME: 'v4' }, /WECHAT_PAY_SCHEME must be one of v3, v3-partner, v2/],
    [{ WECHAT_PAY_SCHEME: 'v2' }, /WECHAT_V2_KEY must be 32 printable ASCII/],
    [{ WECHAT_PAY_SCHEME: 'v2', WECHAT_V2_KEY: 'short' }, /WECHAT_V2_KEY must be 32/],
    [
      {
        WECHAT_PAY_SCHEME: 'v2',
        WECHAT_V2_KEY: '192006250b4c09247ec02edce69f6a2d',
        WECHAT_V2_SIGN_TYPE: 'RSA',
      },
      /WECHAT_V2_SIGN_TYPE must be MD5 or HMAC-SHA256/,
    ],
    [
      {
        WECHAT_PAY_SCHEME: 'v2',
        WECHAT_V2_KEY: '192006250b4c09247ec02edce69f6a2d',
        WECHAT_MERCHANT_CERT: 'pub.pem',
        WECHAT_MERCHANT_PRIVATE_KEY: 'merchant-key.pem',
      },
      /WECHAT_MERCHANT_CERT is not a PEM certificate/,
    ],
    [
      {
        WECHAT_PAY_SCHEME: 'v2',
        WECHAT_V2_KEY: '192006250b4c09247ec02edce69f6a2d',
        WECHAT_PAY_SECAPI_BASE: 'http://api.mch.weixin.qq.com',
      },
      /WECHAT_PAY_SECAPI_BASE must be https/,
    ],
    [{ ...v3Keys, WECHAT_PAY_SCHEME: 'v3-partner' }, /needs WECHAT_SUB_MERCHANTS/],
    [
      { ...v3Keys, WECHAT_PAY_SCHEME: 'v3-partner', WECHAT_SUB_MERCHANTS: '1900000109' },
      /must be SUB_MCH_ID=host/,
    ],
    [
      {
        ...v3Keys,
        WECHAT_PAY_SCHEME: 'v3-partner',
        WECHAT_SUB_MERCHANTS: '1900000109=*;1900000110=*',
      },
      /the default \(\*\) is given to both 1900000109 and 1900000110/,
    ],
    [
      { ...v3Keys, WECHAT_PAY_SCHEME: 'v3-partner', WECHAT_SUB_MERCHANTS: '1900000109=shop' },
      /"shop" is not an AppID or \*/,
    ],
    [
      {
        ...v3Keys,
        WECHAT_PAY_SCHEME: 'v3-partner',
        WECHAT_SUB_MERCHANTS: '1900000109=*',
        WECHAT_SUB_MERCHANTS_DISABLED: '1900000999',
      },
      /names 1900000999, which is not in WECHAT_SUB_MERCHANTS/,
    ],
    [
      { WECHAT_PAY_SCHEME: 'v3-partner', WECHAT_SUB_MERCHANTS: '1900000109=*' },
      /WECHAT_MERCHANT_SERIAL_NO is required/,
    ],
  ])('refuses %o with a clear message', (env, message) => {
    expect(() => load(real(env))).toThrow(ConfigError);
    expect(() => load(real(env))).toThrow(message);
  });

  it('dev credentials from before the schemes existed say how to upgrade them', () => {
    expect(() => loadConfig(devEnv({ WECHAT_PAY_SCHEME: 'v2' }))).toThrow(
      /no APIv2 key: start the sandbox once to upgrade them/,
    );
    expect(() => loadConfig(devEnv({ WECHAT_PAY_SCHEME: 'v3-partner' }))).toThrow(
      /no service-provider account/,
    );
  });
});
