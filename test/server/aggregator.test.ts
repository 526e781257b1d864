/**
 * The jump-out channel's pieces without a stack: AGGREGATOR_* parsing and its errors (a partial
 * configuration never runs, the key never in a message), and the md5-sorted provider on
 * hand-built payloads (signature rule re-implemented here, every refusal's status).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { md5SortedProvider } from '../../server/aggregator/md5-sorted';
import { AggregatorRefusal } from '../../server/aggregator/provider';
import { ConfigError, loadConfig, validateConfig } from '../../server/config';
import {
  FIXTURE_PUB_KEY_ID,
  fixtureConfig,
  fixturePem,
  writeDevCredentials,
} from './fixture-config';

const KEY = 'k3yK3yk3yK3yk3yK3yk3yK3yk3yK3y12';
const APP = 'wx0123456789abcdef';

function sign(fields: Record<string, string>, key: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('md5').update(`${text}&key=${key}`).digest('hex').toUpperCase();
}

describe('AGGREGATOR_* configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wpp-agg-config-'));
    writeDevCredentials(dir, {
      aggregatorMchId: '5550001',
      aggregatorKey: KEY,
      aggregatorAppId: APP,
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dev = (extra: NodeJS.ProcessEnv = {}) => ({
    DEV_CREDENTIALS_DIR: join(dir, 'cred'),
    ...extra,
  });

  it('is off unless AGGREGATOR_PROVIDER is set, even with dev credentials', () => {
    expect(loadConfig(dev()).aggregator).toBeUndefined();
  });

  it('dev: AGGREGATOR_PROVIDER alone takes the sandbox account; variables override it', () => {
    expect(loadConfig(dev({ AGGREGATOR_PROVIDER: 'md5-sorted' })).aggregator).toEqual({
      provider: 'md5-sorted',
      mchId: '5550001',
      key: KEY,
      appId: APP,
    });
    expect(
      loadConfig(
        dev({
          AGGREGATOR_PROVIDER: 'md5-sorted',
          AGGREGATOR_MCH_ID: '777',
          AGGREGATOR_PATH: 'pages/pay/index',
          AGGREGATOR_NOTIFY_URL: 'https://shop.example.com/api/aggregator/notify/',
        }),
      ).aggregator,
    ).toEqual({
      provider: 'md5-sorted',
      mchId: '777',
      key: KEY,
      appId: APP,
      path: 'pages/pay/index',
      notifyUrl: 'https://shop.example.com/api/aggregator/notify',
    });
  });

  it.each([
    [{ AGGREGATOR_KEY: KEY }, /AGGREGATOR_KEY is set but AGGREGATOR_PROVIDER is not/],
    [{ AGGREGATOR_PROVIDER: 'payjs2' }, /AGGREGATOR_PROVIDER must be one of md5-sorted/],
    [{ AGGREGATOR_PROVIDER: 'md5-sorted', AGGREGATOR_KEY: 'short' }, /AGGREGATOR_KEY must be/],
    [{ AGGREGATOR_PROVIDER: 'md5-sorted', AGGREGATOR_APP_ID: 'wxNOPE' }, /AGGREGATOR_APP_ID/],
    [
      { AGGREGATOR_PROVIDER: 'md5-sorted', AGGREGATOR_NOTIFY_URL: 'https://x.example/n?a=1' },
      /no query/,
    ],
    [{ AGGREGATOR_PROVIDER: 'md5-sorted', AGGREGATOR_PATH: 'pages/a b' }, /AGGREGATOR_PATH/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(dev(env))).toThrow(ConfigError);
    expect(() => loadConfig(dev(env))).toThrow(message);
  });

  it('with WeChat env, every account variable is required and the key is never quoted', () => {
    const env = {
      WECHAT_APP_ID: 'wxreal',
      WECHAT_APP_SECRET: 's',
      WECHAT_MCH_ID: '1230000109',
      WECHAT_MERCHANT_SERIAL_NO: 'SERIAL',
      WECHAT_MERCHANT_PRIVATE_KEY: fixturePem('merchant-key.pem'),
      WECHAT_APIV3_KEY: '0123456789abcdefghijABCDEFGHIJ._',
      WECHAT_PLATFORM_KEYS: `${FIXTURE_PUB_KEY_ID}=${join(dir, 'pub.pem')}`,
      AGGREGATOR_PROVIDER: 'md5-sorted',
      AGGREGATOR_KEY: `${KEY} spaced`,
    };
    expect(() => loadConfig({ ...env, AGGREGATOR_KEY: KEY })).toThrow(
      /AGGREGATOR_MCH_ID is required/,
    );
    let message = '';
    try {
      loadConfig({ ...env, AGGREGATOR_MCH_ID: '1', AGGREGATOR_APP_ID: APP });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/AGGREGATOR_KEY must be/);
    expect(message).not.toContain(KEY);
  });

  it('a hand-built config is checked too', () => {
    expect(() =>
      validateConfig(
        fixtureConfig({
          aggregator: { provider: 'md5-sorted', mchId: '1', key: KEY, appId: 'nope' },
        }),
      ),
    ).toThrow(ConfigError);
  });
});

describe('md5-sorted provider', () => {
  const provider = md5SortedProvider({ mchId: '5550001', key: KEY });
  const FORM = 'application/x-www-form-urlencoded';
  const genuine = (extra: Record<string, string> = {}) => {
    const fields: Record<string, string> = {
      return_code: '1',
      total_fee: '12800',
      out_trade_no: 'WP20260101ABCDEFGHJKMN',
      payjs_order_id: '20260101123456789012345678',
      transaction_id: '4200000000202601011234567890',
      time_end: '2026-01-01 08:00:00',
      openid: 'o-payer',
      mchid: '5550001',
      attach: '',
      ...extra,
    };
    return { ...fields, sign: sign(fields, KEY) };
  };
  const read = (fields: Record<string, string>, type = FORM) =>
    provider.readNotification(Buffer.from(new URLSearchParams(fields).toString()), type);
  const status = (f: () => unknown): number => {
    try {
      f();
    } catch (err) {
      if (err instanceof AggregatorRefusal) return err.status;
      throw err;
    }
    return 0;
  };

  it('extraData: every documented field, signed by the rule, a 32-character nonce', () => {
    const x = provider.buildExtraData(
      { orderNo: 'WP20260101ABCDEFGHJKMN', total: 12800, description: 'Longjing tea ×2' },
      'https://shop.example.com/api/aggregator/notify',
    );
    expect(x).toEqual({
      mchid: '5550001',
      total_fee: '12800',
      out_trade_no: 'WP20260101ABCDEFGHJKMN',
      body: 'Longjing tea ×2',
      notify_url: 'https://shop.example.com/api/aggregator/notify',
      nonce: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
      sign: expect.any(String),
    });
    expect(x.sign).toBe(sign(x, KEY));
  });

  it('reads a genuine notification (time_end in Beijing time)', () => {
    expect(read(genuine())).toEqual({
      paymentId: '20260101123456789012345678',
      orderNo: 'WP20260101ABCDEFGHJKMN',
      total: 12800,
      mchId: '5550001',
      succeeded: true,
      transactionId: '4200000000202601011234567890',
      paidAt: Date.parse('2026-01-01T00:00:00Z'),
    });
    expect(read(genuine({ return_code: '0' })).succeeded).toBe(false);
    expect(read(genuine({ time_end: '2026-02-30 08:00:00' })).paidAt).toBeNull();
  });

  it.each([
    ['a wrong sign', () => read({ ...genuine(), sign: '0'.repeat(32) }), 401],
    ['a lower-case sign', () => read({ ...genuine(), sign: genuine().sign.toLowerCase() }), 401],
    ['no sign', () => read({ ...genuine(), sign: '' }), 401],
    ['another content type', () => read(genuine(), 'application/json'), 415],
    ['a malformed total_fee', () => read(genuine({ total_fee: '-1' })), 400],
    ['a missing out_trade_no', () => read(genuine({ out_trade_no: '' })), 400],
    ['a bad transaction_id', () => read(genuine({ transaction_id: 'x y' })), 400],
    [
      'a repeated field',
      () =>
        provider.readNotification(
          Buffer.from(`${new URLSearchParams(genuine()).toString()}&mchid=1`),
          FORM,
        ),
      400,
    ],
    ['bytes that are not UTF-8', () => provider.readNotification(Buffer.from([0xc3]), FORM), 400],
  ])('refuses %s (%#)', (_name, f, expected) => {
    expect(status(f)).toBe(expected);
  });

  it('answers success, and refusals that are not', () => {
    expect(provider.ack()).toEqual({
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: 'success',
    });
    expect(provider.refusal(401, 'bad sign').body).not.toBe('success');
  });
});
