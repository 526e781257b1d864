/** A complete ServerConfig from the fixture keys, for route tests that need no WeChat. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from '../../server/config';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

export const FIXTURE_CERT_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
export const FIXTURE_PUB_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';

export function fixtureConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: ':memory:',
    // Port 9 (discard) on loopback: nothing listens, so any WeChat call fails fast.
    wechatApiBase: 'http://127.0.0.1:9',
    wechatPayBase: 'http://127.0.0.1:9',
    appId: 'wx8888888888888888',
    appSecret: 'fixture-app-secret',
    mchId: '1230000109',
    merchantSerialNo: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
    merchantPrivateKeyPem: fixture('merchant-key.pem'),
    apiV3Key: '0123456789abcdefghijABCDEFGHIJ._',
    platformPublicKeys: {
      [FIXTURE_CERT_SERIAL]: fixture('platform-cert-pub.pem'),
      [FIXTURE_PUB_KEY_ID]: fixture('platform-pubkey-pub.pem'),
    },
    notifyUrl: 'https://merchant.example.com/api/pay/notify',
    adminToken: 'fixture-admin-token',
    orderTtlSeconds: 900,
    prepayReuseSeconds: 6600,
    sessionTtlSeconds: 7200,
    queryDelaySeconds: 60,
    jobIntervalMs: 60_000,
    jobsEnabled: false,
    orderQueryIntervalMs: 2000,
    sessionRateLimit: 5,
    orderRateLimit: 1000,
    bodyLimitBytes: 16 * 1024,
    maxOrderTotal: 5_000_000,
    wechatTimeoutMs: 2000,
    wechatRetries: 0,
    notifyWindowSeconds: 300,
    trustProxy: false,
    logLevel: 'silent',
    ...overrides,
  };
}

export const fixturePem = fixture;

/**
 * A dev-credentials folder as the sandbox writes it (`<dir>/cred/merchant/`), from the fixture
 * keys, with `extra` fields in its config.json; plus the merchant key and a platform key as
 * loose files in `dir` for WECHAT_* path settings. Returns the folder for DEV_CREDENTIALS_DIR.
 */
export function writeDevCredentials(dir: string, extra: Record<string, unknown> = {}): string {
  const cred = join(dir, 'cred');
  const m = join(cred, 'merchant');
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
      ...extra,
    }),
  );
  writeFileSync(join(m, 'apiclient_key.pem'), fixture('merchant-key.pem'));
  writeFileSync(join(m, 'platform_cert_public.pem'), fixture('platform-cert-pub.pem'));
  writeFileSync(join(m, 'pub_key.pem'), fixture('platform-pubkey-pub.pem'));
  writeFileSync(join(dir, 'merchant-key.pem'), fixture('merchant-key.pem'));
  writeFileSync(join(dir, 'pub.pem'), fixture('platform-pubkey-pub.pem'));
  return cred;
}
