/**
 * The jump-out channel's settings (AGGREGATOR_*): off unless AGGREGATOR_PROVIDER names a
 * provider, and then complete or a clear error: half a configuration must never run. The key is
 * a secret, so no message here ever repeats its value.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGGREGATOR_PROVIDERS } from './providers';
import type { AggregatorProviderName } from './providers';

export interface AggregatorConfig {
  provider: AggregatorProviderName;
  /** Our merchant id at the aggregator. */
  mchId: string;
  /** The signing key the aggregator issued (secret). */
  key: string;
  /** AppID of the aggregator's cashier mini program (wx.navigateToMiniProgram's target). */
  appId: string;
  /** Page path in the cashier mini program; empty opens its home page. */
  path?: string;
  /** Where the aggregator notifies; default `<own url>/api/aggregator/notify`. */
  notifyUrl?: string;
}

export class AggregatorConfigError extends Error {}

/** The aggregator account the sandbox writes into its dev credentials. */
export interface DevAggregatorAccount {
  aggregatorMchId?: string;
  aggregatorKey?: string;
  aggregatorAppId?: string;
}

const SETTINGS = [
  'AGGREGATOR_MCH_ID',
  'AGGREGATOR_KEY',
  'AGGREGATOR_APP_ID',
  'AGGREGATOR_PATH',
  'AGGREGATOR_NOTIFY_URL',
] as const;

/** The sandbox's aggregator account from `<credentials>/merchant/config.json`, if it has one. */
export function devAggregatorAccount(merchantDir: string): DevAggregatorAccount {
  const file = join(merchantDir, 'config.json');
  if (!existsSync(file)) return {};
  const c = JSON.parse(readFileSync(file, 'utf8')) as DevAggregatorAccount;
  return {
    ...(c.aggregatorMchId ? { aggregatorMchId: c.aggregatorMchId } : {}),
    ...(c.aggregatorKey ? { aggregatorKey: c.aggregatorKey } : {}),
    ...(c.aggregatorAppId ? { aggregatorAppId: c.aggregatorAppId } : {}),
  };
}

/**
 * From the environment; `dev` fills the account when the server runs on dev credentials (an
 * AGGREGATOR_* variable still wins). Undefined when the channel is off.
 */
export function aggregatorFromEnv(
  env: NodeJS.ProcessEnv,
  dev?: DevAggregatorAccount,
): AggregatorConfig | undefined {
  const get = (name: string): string | undefined => env[name]?.trim() || undefined;
  const provider = get('AGGREGATOR_PROVIDER');
  if (provider === undefined) {
    const stray = SETTINGS.find((name) => get(name) !== undefined);
    if (stray)
      throw new AggregatorConfigError(
        `${stray} is set but AGGREGATOR_PROVIDER is not: set it (${AGGREGATOR_PROVIDERS.join(', ')}) or unset ${stray}`,
      );
    return undefined;
  }
  if (!AGGREGATOR_PROVIDERS.includes(provider as AggregatorProviderName))
    throw new AggregatorConfigError(
      `AGGREGATOR_PROVIDER must be one of ${AGGREGATOR_PROVIDERS.join(', ')}, got "${provider.slice(0, 40)}"`,
    );
  const need = (name: string, fallback: string | undefined): string => {
    const v = get(name) ?? fallback;
    if (v === undefined)
      throw new AggregatorConfigError(
        dev
          ? `${name} is required when AGGREGATOR_PROVIDER is set: the dev credentials have no aggregator account (start the sandbox once to upgrade them) and ${name} is unset`
          : `${name} is required when AGGREGATOR_PROVIDER is set`,
      );
    return v;
  };
  const config: AggregatorConfig = {
    provider: provider as AggregatorProviderName,
    mchId: need('AGGREGATOR_MCH_ID', dev?.aggregatorMchId),
    key: need('AGGREGATOR_KEY', dev?.aggregatorKey),
    appId: need('AGGREGATOR_APP_ID', dev?.aggregatorAppId),
  };
  const path = get('AGGREGATOR_PATH');
  if (path !== undefined) config.path = path;
  const notifyUrl = get('AGGREGATOR_NOTIFY_URL');
  if (notifyUrl !== undefined) config.notifyUrl = notifyUrl.replace(/\/+$/, '');
  checkAggregator(config);
  return config;
}

/** What a hand-built config (tests, startStack) could get wrong too. */
export function checkAggregator(c: AggregatorConfig): void {
  if (!AGGREGATOR_PROVIDERS.includes(c.provider))
    throw new AggregatorConfigError(
      `AGGREGATOR_PROVIDER must be one of ${AGGREGATOR_PROVIDERS.join(', ')}`,
    );
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(c.mchId))
    throw new AggregatorConfigError('AGGREGATOR_MCH_ID must be 1-32 letters, digits, _ or -');
  if (!/^[\x21-\x7e]{8,128}$/.test(c.key))
    throw new AggregatorConfigError(
      'AGGREGATOR_KEY must be 8-128 visible ASCII characters (no spaces)',
    );
  if (!/^wx[0-9a-f]{16}$/.test(c.appId))
    throw new AggregatorConfigError(
      `AGGREGATOR_APP_ID must be a mini program AppID (wx + 16 hex), got "${c.appId.slice(0, 40)}"`,
    );
  if (c.path !== undefined && !/^[\x21-\x7e]{1,255}$/.test(c.path))
    throw new AggregatorConfigError('AGGREGATOR_PATH must be a page path without spaces');
  if (c.notifyUrl !== undefined) {
    let u: URL;
    try {
      u = new URL(c.notifyUrl);
    } catch {
      throw new AggregatorConfigError('AGGREGATOR_NOTIFY_URL must be an http(s) URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new AggregatorConfigError('AGGREGATOR_NOTIFY_URL must be an http(s) URL');
    if (u.search || u.hash || c.notifyUrl.length > 255)
      throw new AggregatorConfigError(
        'AGGREGATOR_NOTIFY_URL must have no query or fragment and be at most 255 characters',
      );
  }
}
