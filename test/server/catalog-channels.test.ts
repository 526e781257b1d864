/**
 * GET /api/catalog lists exactly the channels this server can take: half-screen only with a
 * cashier AppID the payment scheme can pay under (not partner mode), jump-out only with an
 * aggregator; and says where the cashier opens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../server/app';
import type { ServerConfig } from '../../server/config';
import { loadConfig } from '../../server/config';
import type { CatalogResponse } from '../../typings/api';
import { fixtureConfig, writeDevCredentials } from './fixture-config';

const cashierApp = { appId: 'wx7777777777777777', appSecret: 'fixture-cashier-secret' };
const aggregator = {
  provider: 'md5-sorted' as const,
  mchId: '1608000001',
  key: 'fixture-aggregator-key-0123456789',
  appId: 'wx6666666666666666',
};

async function catalogOf(overrides: Partial<ServerConfig>): Promise<CatalogResponse> {
  const { app } = await buildApp(fixtureConfig(overrides));
  try {
    const res = await app.inject({ method: 'GET', url: '/api/catalog' });
    expect(res.statusCode).toBe(200);
    return res.json<CatalogResponse>();
  } finally {
    await app.close();
  }
}

describe('GET /api/catalog channels', () => {
  it('offers only the plugin without a cashier app or an aggregator', async () => {
    const c = await catalogOf({});
    expect(c.channels).toEqual(['plugin']);
    expect(c).not.toHaveProperty('cashierApp');
  });

  it('offers half-screen with the cashier AppID, its page and version', async () => {
    const c = await catalogOf({ cashierApp, cashierEnvVersion: 'trial' });
    expect(c.channels).toEqual(['plugin', 'half-screen']);
    expect(c.cashierApp).toEqual({
      appId: cashierApp.appId,
      path: 'pages/pay/index',
      envVersion: 'trial',
    });
    // The secret is the server's alone.
    expect(JSON.stringify(c)).not.toContain(cashierApp.appSecret);
  });

  it('lists every configured channel, plugin first', async () => {
    const c = await catalogOf({ cashierApp, aggregator });
    expect(c.channels).toEqual(['plugin', 'half-screen', 'jump-out']);
    expect(c.cashierApp?.envVersion).toBe('release');
  });

  it('CASHIER_ENV_VERSION must be develop, trial or release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wpp-channels-'));
    try {
      const env = { DEV_CREDENTIALS_DIR: writeDevCredentials(dir) };
      expect(loadConfig({ ...env, CASHIER_ENV_VERSION: 'develop' }).cashierEnvVersion).toBe(
        'develop',
      );
      expect(() => loadConfig({ ...env, CASHIER_ENV_VERSION: 'beta' })).toThrow(
        /CASHIER_ENV_VERSION must be one of develop, trial, release: beta/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
