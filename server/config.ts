/**
 * Configuration from the environment (table in server/README.md). With no WeChat settings the
 * server uses the sandbox's dev credentials (<repo>/.dev-credentials/merchant) and a sandbox on
 * SANDBOX_URL, so `npm run sandbox` + `npm run server` work with nothing set.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { LevelWithSilent } from 'pino';
import {
  AggregatorConfigError,
  aggregatorFromEnv,
  checkAggregator,
  devAggregatorAccount,
} from './aggregator/config';
import type { AggregatorConfig } from './aggregator/config';
import {
  PAY_SCHEMES,
  SchemeConfigError,
  V2_SIGN_TYPES,
  checkSubMerchants,
  checkV2,
  parseSubMerchants,
} from './pay-scheme-config';
import type { PayScheme, SubMerchant, V2Config, V2SignType } from './pay-scheme-config';

export type { AggregatorConfig, PayScheme, SubMerchant, V2Config, V2SignType };

/**
 * The repository root: the nearest folder holding package.json, so the path is the same whether
 * this runs from source (tsx) or compiled into build/server/.
 */
export const REPO_ROOT = ((): string => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export interface ServerConfig {
  port: number;
  host: string;
  /** SQLite file path, `:memory:`, or postgres://… */
  databaseUrl: string;
  /** PostgreSQL connections per process (DATABASE_POOL_SIZE); ignored for SQLite. */
  databasePoolSize?: number;
  /** Base for code2Session (`/sns/jscode2session`): https://api.weixin.qq.com in production. */
  wechatApiBase: string;
  /** Base for Pay (`/v3/...`, API v2's `/pay/...`): https://api.mch.weixin.qq.com in production. */
  wechatPayBase: string;
  /**
   * WECHAT_PAY_SCHEME: API v3 as a direct merchant (default), v3 as a service provider placing
   * orders for sub-merchants, or API v2 (XML, MD5 / HMAC-SHA256). In partner mode `mchId` is the
   * provider's sp_mchid and `appId` its sp_appid (the owner mini program).
   */
  payScheme?: PayScheme;
  /** API v2 only. */
  v2?: V2Config;
  /** Partner mode only: the sub-merchants and which hosts' orders each takes. */
  subMerchants?: SubMerchant[];
  /** Extra CA certificates trusted for WeChat Pay HTTPS (the sandbox's); system CAs otherwise. */
  wechatPayCaPem?: string;
  appId: string;
  appSecret: string;
  /**
   * CASHIER_APP_ID + CASHIER_APP_SECRET: the merchant's own cashier mini program, opened
   * half-screen, which signs payers in under its own AppID and pays there. It must be bound to
   * the same mchId at WeChat. Absent: only the owner app (`appId`) signs in and pays.
   */
  cashierApp?: CashierApp;
  /**
   * CASHIER_ENV_VERSION: which version of the cashier mini program the shop opens (WeChat honours
   * develop / trial only while the opener itself is a develop or trial build). Default release.
   */
  cashierEnvVersion?: 'develop' | 'trial' | 'release';
  mchId: string;
  merchantSerialNo: string;
  merchantPrivateKeyPem: string;
  apiV3Key: string;
  /** Trusted WeChat keys: platform certificate serial or PUB_KEY_ID_… → SPKI PEM. */
  platformPublicKeys: Record<string, string>;
  /** Where WeChat posts notifications; default `${own url}/api/pay/notify`. */
  notifyUrl?: string;
  /** Bearer token for the refund endpoint; refunds are disabled when unset. */
  adminToken?: string;
  orderTtlSeconds: number;
  /** A prepay_id younger than this is reused (WeChat keeps one for 2 hours). */
  prepayReuseSeconds: number;
  sessionTtlSeconds: number;
  /** Pending orders with a prepay older than this are queried by the job. */
  queryDelaySeconds: number;
  jobIntervalMs: number;
  jobsEnabled: boolean;
  /** GET /api/orders/:orderNo queries WeChat at most this often per order. */
  orderQueryIntervalMs: number;
  /** POST /api/session per client IP per minute. */
  sessionRateLimit: number;
  /** POST /api/orders per client IP per minute. */
  orderRateLimit: number;
  bodyLimitBytes: number;
  maxOrderTotal: number;
  wechatTimeoutMs: number;
  /** Extra attempts on 5xx/429/network errors. */
  wechatRetries: number;
  notifyWindowSeconds: number;
  trustProxy: boolean;
  logLevel: LevelWithSilent;
  /**
   * The plugin's token (plugin basic settings): verifies the X-WECHAT-HOSTSIGN WeChat puts on
   * the plugin's requests, which tells which host mini program placed an order. Unset: orders
   * record no host app.
   */
  pluginToken?: string;
  /** The jump-out channel (AGGREGATOR_*); absent = off (403 on jump-out). */
  aggregator?: AggregatorConfig;
}

export class ConfigError extends Error {}

/** A second mini program (AppID + secret) whose users may sign in and pay. */
export interface CashierApp {
  appId: string;
  appSecret: string;
}

/**
 * The AppIDs payers may sign in under: the owner's first, then the cashier's when configured.
 * Anything else a client names is refused (400) before WeChat is asked.
 */
export function payerApps(
  c: Pick<ServerConfig, 'appId' | 'appSecret' | 'cashierApp'>,
): CashierApp[] {
  return [{ appId: c.appId, appSecret: c.appSecret }, ...(c.cashierApp ? [c.cashierApp] : [])];
}

const ENV_VERSIONS = ['develop', 'trial', 'release'] as const;

function cashierEnvVersionOf(env: NodeJS.ProcessEnv): (typeof ENV_VERSIONS)[number] {
  const raw = (env.CASHIER_ENV_VERSION ?? '').trim() || 'release';
  const found = ENV_VERSIONS.find((v) => v === raw);
  if (!found)
    throw new ConfigError(`CASHIER_ENV_VERSION must be one of ${ENV_VERSIONS.join(', ')}: ${raw}`);
  return found;
}

/**
 * CASHIER_APP_ID and CASHIER_APP_SECRET: both or neither (one alone is a half-configured app
 * that would fail only at the first sign-in). Unset: `fallback` (dev: the sandbox's cashier app).
 */
function cashierFromEnv(env: NodeJS.ProcessEnv, fallback?: CashierApp): CashierApp | undefined {
  const appId = (env.CASHIER_APP_ID ?? '').trim();
  const appSecret = (env.CASHIER_APP_SECRET ?? '').trim();
  if (appId && appSecret) return { appId, appSecret };
  if (appId || appSecret)
    throw new ConfigError('CASHIER_APP_ID and CASHIER_APP_SECRET must be set together');
  return fallback;
}

/** The scheme a config uses (absent = API v3 direct, today's default). */
export const payScheme = (c: Pick<ServerConfig, 'payScheme'>): PayScheme => c.payScheme ?? 'v3';

type Env = NodeJS.ProcessEnv;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim()))
    throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, fallback: string): string {
  const raw = (env[name] ?? '').trim() || fallback;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function readPem(value: string, name: string, base: string): string {
  const text = value.includes('-----BEGIN')
    ? value
    : readFileSync(isAbsolute(value) ? value : join(base, value), 'utf8');
  if (!text.includes('-----BEGIN')) throw new ConfigError(`${name} is not a PEM`);
  return text;
}

const LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

interface DevMerchantConfig {
  pluginToken?: string;
  apiV2Key?: string;
  spMchId?: string;
  subMchIds?: string[];
  appId: string;
  appSecret: string;
  mchId: string;
  merchantSerialNo: string;
  apiV3Key: string;
  platformCertSerialNo: string;
  platformPublicKeyId: string;
  /** Written by sandboxes since the second AppID. */
  cashierApp?: CashierApp;
}

/** Reads `<dir>/merchant/` as the sandbox writes it: app id and secret, mch id, merchant key and serial, API v3 key, platform keys. */
export function readDevCredentials(
  credentialsDir: string,
): Pick<
  ServerConfig,
  | 'appId'
  | 'appSecret'
  | 'mchId'
  | 'merchantSerialNo'
  | 'merchantPrivateKeyPem'
  | 'apiV3Key'
  | 'platformPublicKeys'
  | 'pluginToken'
  | 'cashierApp'
> {
  const dir = join(credentialsDir, 'merchant');
  const file = join(dir, 'config.json');
  if (!existsSync(file)) {
    throw new ConfigError(
      `no WeChat configuration in the environment and no dev credentials at ${file}: start the sandbox once (npm run sandbox) or set WECHAT_* variables`,
    );
  }
  const c = JSON.parse(readFileSync(file, 'utf8')) as DevMerchantConfig;
  return {
    appId: c.appId,
    appSecret: c.appSecret,
    mchId: c.mchId,
    merchantSerialNo: c.merchantSerialNo,
    apiV3Key: c.apiV3Key,
    merchantPrivateKeyPem: readFileSync(join(dir, 'apiclient_key.pem'), 'utf8'),
    platformPublicKeys: {
      [c.platformCertSerialNo]: readFileSync(join(dir, 'platform_cert_public.pem'), 'utf8'),
      [c.platformPublicKeyId]: readFileSync(join(dir, 'pub_key.pem'), 'utf8'),
    },
    ...(c.pluginToken ? { pluginToken: c.pluginToken } : {}),
    ...(c.cashierApp?.appId && c.cashierApp.appSecret
      ? { cashierApp: { appId: c.cashierApp.appId, appSecret: c.cashierApp.appSecret } }
      : {}),
  };
}

/** `SERIAL=path-or-pem;PUB_KEY_ID_…=path-or-pem` (separator `;` or newline). */
function platformKeys(raw: string, base: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of raw
    .split(/[;\n]/)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    if (eq <= 0)
      throw new ConfigError(`WECHAT_PLATFORM_KEYS entry "${entry.slice(0, 40)}" must be ID=file`);
    out[entry.slice(0, eq).trim()] = readPem(
      entry.slice(eq + 1).trim(),
      'WECHAT_PLATFORM_KEYS',
      base,
    );
  }
  return out;
}

function schemeOf(env: Env): PayScheme {
  const raw = (env.WECHAT_PAY_SCHEME ?? '').trim() || 'v3';
  if (!PAY_SCHEMES.includes(raw as PayScheme))
    throw new ConfigError(
      `WECHAT_PAY_SCHEME must be one of ${PAY_SCHEMES.join(', ')}, got "${raw}"`,
    );
  return raw as PayScheme;
}

function signTypeOf(env: Env): V2SignType {
  const raw = (env.WECHAT_V2_SIGN_TYPE ?? '').trim() || 'MD5';
  if (!V2_SIGN_TYPES.includes(raw as V2SignType))
    throw new ConfigError(`WECHAT_V2_SIGN_TYPE must be MD5 or HMAC-SHA256, got "${raw}"`);
  return raw as V2SignType;
}

type SchemeParts = Pick<ServerConfig, 'payScheme' | 'v2' | 'subMerchants' | 'wechatPayCaPem'>;

/** The scheme's settings from the environment (real WeChat). */
function envScheme(env: Env, scheme: PayScheme, base: string, payBase: string): SchemeParts {
  const parts: SchemeParts = { payScheme: scheme };
  if (env.WECHAT_PAY_CA) parts.wechatPayCaPem = readPem(env.WECHAT_PAY_CA, 'WECHAT_PAY_CA', base);
  if (scheme === 'v3-partner') {
    parts.subMerchants = parseSubMerchants(
      env.WECHAT_SUB_MERCHANTS ?? '',
      env.WECHAT_SUB_MERCHANTS_DISABLED,
    );
  }
  if (scheme === 'v2') {
    parts.v2 = {
      key: env.WECHAT_V2_KEY ?? '',
      signType: signTypeOf(env),
      secapiBase: url(env, 'WECHAT_PAY_SECAPI_BASE', payBase),
      ...(env.WECHAT_MERCHANT_CERT
        ? { clientCertPem: readPem(env.WECHAT_MERCHANT_CERT, 'WECHAT_MERCHANT_CERT', base) }
        : {}),
    };
  }
  return parts;
}

/** The scheme's settings from the sandbox's dev credentials (`npm start`, `npm run server`). */
function devScheme(
  env: Env,
  scheme: PayScheme,
  credentialsDir: string,
): SchemeParts & {
  mchId?: string;
} {
  const dir = join(credentialsDir, 'merchant');
  const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as DevMerchantConfig;
  const parts: SchemeParts & { mchId?: string } = { payScheme: scheme };
  const stale = (what: string): ConfigError =>
    new ConfigError(
      `the dev credentials in ${dir} have no ${what}: start the sandbox once to upgrade them`,
    );
  if (scheme === 'v3-partner') {
    if (!c.spMchId || !c.subMchIds?.length) throw stale('service-provider account');
    parts.mchId = c.spMchId;
    parts.subMerchants = env.WECHAT_SUB_MERCHANTS
      ? parseSubMerchants(env.WECHAT_SUB_MERCHANTS, env.WECHAT_SUB_MERCHANTS_DISABLED)
      : [{ subMchId: c.subMchIds[0] ?? '', hosts: ['*'], enabled: true }];
  }
  if (scheme === 'v2') {
    if (!c.apiV2Key) throw stale('APIv2 key');
    const cert = join(dir, 'apiclient_cert.pem');
    const ca = join(dir, 'sandbox_tls_cert.pem');
    if (!existsSync(cert) || !existsSync(ca)) throw stale('client certificate');
    parts.v2 = {
      key: c.apiV2Key,
      signType: signTypeOf(env),
      clientCertPem: readFileSync(cert, 'utf8'),
      secapiBase: url(
        env,
        'WECHAT_PAY_SECAPI_BASE',
        (env.SANDBOX_TLS_URL ?? '').trim() || 'https://127.0.0.1:3101',
      ),
    };
    parts.wechatPayCaPem = readFileSync(ca, 'utf8');
  }
  return parts;
}

export function loadConfig(env: Env = process.env): ServerConfig {
  const base = REPO_ROOT;
  const sandboxUrl = url(env, 'SANDBOX_URL', 'http://127.0.0.1:3100');
  const useEnvCredentials = Boolean(env.WECHAT_MCH_ID);
  const scheme = schemeOf(env);
  const defaultApi = useEnvCredentials ? 'https://api.weixin.qq.com' : sandboxUrl;
  const defaultPay = useEnvCredentials ? 'https://api.mch.weixin.qq.com' : sandboxUrl;
  let creds: ReturnType<typeof readDevCredentials>;
  let schemeParts: SchemeParts;
  let aggregator: AggregatorConfig | undefined;
  try {
    if (useEnvCredentials) {
      const need = (name: string): string => {
        const v = env[name];
        if (!v) throw new ConfigError(`${name} is required when WECHAT_MCH_ID is set`);
        return v;
      };
      // API v2 signs with its own key: the v3 key material is needed only for the mutual-TLS
      // private key, and only when the certificate is given.
      const v3 = scheme !== 'v2';
      const needV3 = (name: string): string => (v3 ? need(name) : (env[name] ?? ''));
      const keyPem = (): string =>
        v3 || env.WECHAT_MERCHANT_CERT
          ? readPem(need('WECHAT_MERCHANT_PRIVATE_KEY'), 'WECHAT_MERCHANT_PRIVATE_KEY', base)
          : '';
      creds = {
        appId: need('WECHAT_APP_ID'),
        appSecret: need('WECHAT_APP_SECRET'),
        mchId: need('WECHAT_MCH_ID'),
        merchantSerialNo: needV3('WECHAT_MERCHANT_SERIAL_NO'),
        merchantPrivateKeyPem: keyPem(),
        apiV3Key: needV3('WECHAT_APIV3_KEY'),
        platformPublicKeys:
          v3 || env.WECHAT_PLATFORM_KEYS ? platformKeys(need('WECHAT_PLATFORM_KEYS'), base) : {},
      };
      schemeParts = envScheme(env, scheme, base, url(env, 'WECHAT_PAY_BASE', defaultPay));
      aggregator = aggregatorFromEnv(env);
    } else {
      const raw = env.DEV_CREDENTIALS_DIR ?? join(base, '.dev-credentials');
      const dir = isAbsolute(raw) ? raw : join(base, raw);
      creds = readDevCredentials(dir);
      const { mchId, ...parts } = devScheme(env, scheme, dir);
      if (mchId) creds.mchId = mchId;
      schemeParts = parts;
      // Dev: the channel is on only when AGGREGATOR_PROVIDER asks; the sandbox's account fills the rest.
      aggregator = aggregatorFromEnv(env, devAggregatorAccount(join(dir, 'merchant')));
    }
  } catch (err) {
    if (err instanceof SchemeConfigError || err instanceof AggregatorConfigError)
      throw new ConfigError(err.message);
    throw err;
  }
  const logLevel = (env.LOG_LEVEL ?? 'info') as LevelWithSilent;
  if (!LEVELS.includes(logLevel))
    throw new ConfigError(`LOG_LEVEL must be one of ${LEVELS.join(', ')}`);
  const databaseUrl = env.DATABASE_URL?.trim() || join(base, 'var', 'server.sqlite');
  const config: ServerConfig = {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST?.trim() || '127.0.0.1',
    databaseUrl,
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    wechatApiBase: url(env, 'WECHAT_API_BASE', defaultApi),
    wechatPayBase: url(env, 'WECHAT_PAY_BASE', defaultPay),
    ...creds,
    ...schemeParts,
    cashierApp: cashierFromEnv(env, creds.cashierApp),
    cashierEnvVersion: cashierEnvVersionOf(env),
    notifyUrl: env.NOTIFY_URL ? url(env, 'NOTIFY_URL', '') : undefined,
    adminToken: env.ADMIN_TOKEN || undefined,
    orderTtlSeconds: int(env, 'ORDER_TTL_SECONDS', 900, 60, 7 * 86400),
    prepayReuseSeconds: int(env, 'PREPAY_REUSE_SECONDS', 6600, 60, 7200),
    sessionTtlSeconds: int(env, 'SESSION_TTL_SECONDS', 7200, 60, 30 * 86400),
    queryDelaySeconds: int(env, 'QUERY_DELAY_SECONDS', 60, 0, 86400),
    jobIntervalMs: int(env, 'JOB_INTERVAL_MS', 10_000, 10, 3_600_000),
    jobsEnabled: bool(env, 'JOBS_ENABLED', true),
    orderQueryIntervalMs: int(env, 'ORDER_QUERY_INTERVAL_MS', 2000, 0, 600_000),
    sessionRateLimit: int(env, 'SESSION_RATE_LIMIT', 30, 1, 1_000_000),
    orderRateLimit: int(env, 'ORDER_RATE_LIMIT', 120, 1, 1_000_000),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 16 * 1024, 1024, 1024 * 1024),
    maxOrderTotal: int(env, 'MAX_ORDER_TOTAL', 5_000_000, 1, 100_000_000_000),
    wechatTimeoutMs: int(env, 'WECHAT_TIMEOUT_MS', 10_000, 100, 120_000),
    wechatRetries: int(env, 'WECHAT_RETRIES', 2, 0, 5),
    notifyWindowSeconds: int(env, 'NOTIFY_WINDOW_SECONDS', 300, 30, 3600),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    logLevel,
  };
  if (config.cashierApp === undefined) delete config.cashierApp;
  if (env.WECHAT_PLUGIN_TOKEN) config.pluginToken = env.WECHAT_PLUGIN_TOKEN;
  if (aggregator) config.aggregator = aggregator;
  validateConfig(config);
  return config;
}

/** Checks what a hand-built config (tests, startStack) could get wrong too. */
export function validateConfig(c: ServerConfig): void {
  if (!/^\d{6,32}$/.test(c.mchId)) throw new ConfigError('mchId must be digits');
  if (!c.appId) throw new ConfigError('appId is required');
  if (c.cashierApp) {
    if (!c.cashierApp.appId || !c.cashierApp.appSecret)
      throw new ConfigError('the cashier app needs both CASHIER_APP_ID and CASHIER_APP_SECRET');
    // One AppID twice would make "which app was this paid under" meaningless.
    if (c.cashierApp.appId === c.appId)
      throw new ConfigError('CASHIER_APP_ID must differ from WECHAT_APP_ID');
  }
  const scheme = payScheme(c);
  if (!PAY_SCHEMES.includes(scheme))
    throw new ConfigError(`payScheme must be one of ${PAY_SCHEMES.join(', ')}`);
  try {
    if (scheme === 'v2') {
      checkV2(c.v2);
      if (c.v2?.clientCertPem && !c.merchantPrivateKeyPem)
        throw new ConfigError('WECHAT_MERCHANT_CERT needs its key, WECHAT_MERCHANT_PRIVATE_KEY');
    } else if (c.v2) {
      throw new ConfigError(`API v2 settings are set but WECHAT_PAY_SCHEME is ${scheme}`);
    }
    if (scheme === 'v3-partner') checkSubMerchants(c.subMerchants ?? []);
    else if (c.subMerchants?.length)
      throw new ConfigError(
        `sub-merchants are set but WECHAT_PAY_SCHEME is ${scheme}, not v3-partner`,
      );
    if (c.aggregator) checkAggregator(c.aggregator);
  } catch (err) {
    if (err instanceof SchemeConfigError || err instanceof AggregatorConfigError)
      throw new ConfigError(err.message);
    throw err;
  }
  if (scheme !== 'v2') {
    if (Buffer.byteLength(c.apiV3Key, 'utf8') !== 32)
      throw new ConfigError('the APIv3 key must be 32 bytes');
    if (!c.merchantSerialNo) throw new ConfigError('merchantSerialNo is required');
    if (Object.keys(c.platformPublicKeys).length === 0)
      throw new ConfigError('at least one platform key is required');
  }
  if (c.notifyUrl) {
    const u = new URL(c.notifyUrl);
    if (u.search) throw new ConfigError('the notify URL must not carry a query string');
    if (c.notifyUrl.length > 255)
      throw new ConfigError('the notify URL must be at most 255 characters');
  }
}
