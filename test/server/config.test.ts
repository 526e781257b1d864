/** Environment → ServerConfig: defaults, the dev-credentials fallback, and clear errors. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../server/config';
import { FIXTURE_CERT_SERIAL, FIXTURE_PUB_KEY_ID, fixturePem } from './fixture-config';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wpp-config-'));
  const m = join(dir, 'cred', 'merchant');
  mkdirSync(m, { recursive: true });
  writeFileSync(
    join(m, 'config.json'),
    JSON.stringify({
      appId: 'wxdev0000000000001',
      appSecret: 'dev-secret',
      mchId: '1900000001',
      merchantSerialNo: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01',
      apiV3Key: '0123456789abcdefghijABCDEFGHIJ._',
      platformCertSerialNo: FIXTURE_CERT_SERIAL,
      platformPublicKeyId: FIXTURE_PUB_KEY_ID,
    }),
  );
  writeFileSync(join(m, 'apiclient_key.pem'), fixturePem('merchant-key.pem'));
  writeFileSync(join(m, 'platform_cert_public.pem'), fixturePem('platform-cert-pub.pem'));
  writeFileSync(join(m, 'pub_key.pem'), fixturePem('platform-pubkey-pub.pem'));
  writeFileSync(join(dir, 'merchant-key.pem'), fixturePem('merchant-key.pem'));
  writeFileSync(join(dir, 'pub.pem'), fixturePem('platform-pubkey-pub.pem'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const devEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  DEV_CREDENTIALS_DIR: join(dir, 'cred'),
  ...extra,
});

describe('loadConfig', () => {
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
  ])('refuses %o with a clear message', (env, message) => {
    expect(() => loadConfig(devEnv(env))).toThrow(ConfigError);
    expect(() => loadConfig(devEnv(env))).toThrow(message);
  });
});
