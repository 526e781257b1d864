/**
 * The one in-process launcher of a whole local stack, for tests, e2e, bench and `npm start`: a
 * sandbox and a merchant server, the server notified at its own /api/pay/notify. By default
 * everything is throw-away (temp credentials dir, SQLite in a temp dir, free loopback ports,
 * fast virtual time); `npm start` passes its persistent credentials dir, fixed ports and a
 * config read from the environment. (`remote-stack.ts` runs this same launcher in a child
 * process; `processes.ts` runs each side as its own process for benchmarks.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox } from '../sandbox';
import type { Sandbox, SandboxOptions } from '../sandbox';
import { OffsetClock, startServer } from '../server';
import type { RunningServer, ServerConfig } from '../server';
import type { PayScheme, V2SignType } from '../server/config';
import type { Logger } from 'pino';

export interface Stack {
  sandbox: Sandbox;
  sandboxUrl: string;
  serverUrl: string;
  server: RunningServer;
  /** The server's business clock; `advance` moves it together with the sandbox's. */
  clock: OffsetClock;
  config: ServerConfig;
  dbFile: string;
  /** The sandbox's credentials dir (merchant/ and sandbox-private sandbox/). */
  credentialsDir: string;
  /** Bearer token for POST /api/orders/:orderNo/refund. */
  adminToken: string;
  /** Moves both virtual clocks forward (order expiry, prepay lifetime, code expiry). */
  advance(seconds: number): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  timeScale?: number;
  /** The WeChat Pay scheme the test server uses (default v3, a direct merchant). */
  scheme?: PayScheme;
  /** API v2's signature (default MD5). */
  v2SignType?: V2SignType;
  /**
   * The jump-out channel against the sandbox's aggregator (default on). A flag rather than
   * `serverConfig.aggregator: undefined`, which does not survive the JSON to a stack process.
   */
  aggregator?: boolean;
  /** The half-screen channel: the merchant's cashier mini program's AppID (default on). */
  cashierApp?: boolean;
  serverConfig?: Partial<ServerConfig>;
  sandbox?: SandboxOptions;
  /** A credentials dir that outlives the stack (generated on first use, then reused). */
  credentialsDir?: string;
  /**
   * Builds the server's whole config from the running sandbox instead of the test defaults
   * (`serverConfig` still overrides it).
   */
  configFor?: (sandbox: Sandbox) => ServerConfig;
  /** The server's logger (default: its own, to stdout at config.logLevel). */
  logger?: Logger;
}

/** Which side of the stack failed to start, so a launcher can name the setting to change. */
export class StackStartError extends Error {
  constructor(
    readonly side: 'sandbox' | 'server',
    override readonly cause: unknown,
  ) {
    super(`${side}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export const STACK_ADMIN_TOKEN = 'stack-admin-token-0123456789';

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'wpp-stack-'));
  const cleanups: Array<() => Promise<void> | void> = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) await fn();
  };
  try {
    const credentialsDir = options.credentialsDir ?? join(dir, 'credentials');
    const sandbox = await createSandbox({
      port: 0,
      credentialsDir,
      timeScale: options.timeScale ?? 0.001,
      ...options.sandbox,
    }).catch((err: unknown) => {
      throw new StackStartError('sandbox', err);
    });
    cleanups.push(() => sandbox.close());
    const config: ServerConfig = {
      ...(options.configFor
        ? options.configFor(sandbox)
        : {
            ...testConfig(sandbox, dir, {
              aggregator: options.aggregator ?? true,
              cashierApp: options.cashierApp ?? true,
            }),
            ...schemeConfig(sandbox, options.scheme ?? 'v3', options.v2SignType ?? 'MD5'),
          }),
      ...options.serverConfig,
    };
    const clock = new OffsetClock();
    const server = await startServer(config, { clock, logger: options.logger }).catch(
      (err: unknown) => {
        throw new StackStartError('server', err);
      },
    );
    cleanups.push(() => server.close());
    return {
      sandbox,
      sandboxUrl: sandbox.url,
      serverUrl: server.url,
      server,
      clock,
      config,
      dbFile: config.databaseUrl,
      credentialsDir,
      adminToken: config.adminToken ?? STACK_ADMIN_TOKEN,
      async advance(seconds: number) {
        const res = await fetch(`${sandbox.url}/sandbox/clock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ advanceSeconds: seconds }),
        });
        if (!res.ok) throw new Error(`sandbox clock: HTTP ${res.status}`);
        clock.advance(seconds);
      },
      close: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * The scheme's part of a test config, from the sandbox's accounts: partner mode places orders as
 * the provider (sp_mchid) for the first sub-merchant by default and the second for the consumer
 * host; API v2 signs with the APIv2 key and refunds over mutual TLS to the sandbox's TLS port.
 */
export function schemeConfig(
  sandbox: Sandbox,
  scheme: PayScheme,
  signType: V2SignType,
): Partial<ServerConfig> {
  const c = sandbox.credentials;
  if (scheme === 'v3-partner') {
    const [own, consumer] = c.subMchIds;
    if (own === undefined || consumer === undefined)
      throw new Error('the sandbox has fewer than two sub-merchants');
    return {
      payScheme: scheme,
      mchId: c.spMchId,
      subMerchants: [
        { subMchId: own, hosts: ['*'], enabled: true },
        { subMchId: consumer, hosts: [sandbox.consumerApp.appId], enabled: true },
      ],
    };
  }
  if (scheme === 'v2') {
    return {
      payScheme: scheme,
      v2: {
        key: c.apiV2Key,
        signType,
        clientCertPem: c.merchantCertPem,
        secapiBase: sandbox.tlsUrl,
      },
      wechatPayCaPem: c.tlsCertPem,
    };
  }
  return { payScheme: scheme };
}

/** Test defaults: the sandbox's generated merchant, SQLite in the stack's temp dir, fast jobs. */
function testConfig(
  sandbox: Sandbox,
  dir: string,
  channels: { aggregator: boolean; cashierApp: boolean },
): ServerConfig {
  const c = sandbox.credentials;
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: join(dir, 'server.sqlite'),
    wechatApiBase: sandbox.url,
    wechatPayBase: sandbox.url,
    appId: c.appId,
    appSecret: c.appSecret,
    // The merchant's cashier mini program (a second AppID bound to mchId).
    ...(channels.cashierApp
      ? { cashierApp: { appId: c.cashierApp.appId, appSecret: c.cashierApp.appSecret } }
      : {}),
    mchId: c.mchId,
    merchantSerialNo: c.merchantSerialNo,
    merchantPrivateKeyPem: c.merchantPrivateKeyPem,
    apiV3Key: c.apiV3Key,
    platformPublicKeys: {
      [c.platformCertSerialNo]: c.platformCertPublicKeyPem,
      [c.platformPublicKeyId]: c.platformPublicKeyPem,
    },
    pluginToken: c.pluginToken,
    // The jump-out channel against the sandbox's aggregator.
    ...(channels.aggregator
      ? {
          aggregator: {
            provider: 'md5-sorted' as const,
            mchId: c.aggregatorMchId,
            key: c.aggregatorKey,
            appId: c.aggregatorAppId,
          },
        }
      : {}),
    adminToken: STACK_ADMIN_TOKEN,
    orderTtlSeconds: 900,
    prepayReuseSeconds: 6600,
    sessionTtlSeconds: 7200,
    queryDelaySeconds: 2,
    jobIntervalMs: 250,
    jobsEnabled: true,
    orderQueryIntervalMs: 0,
    sessionRateLimit: 100_000,
    orderRateLimit: 100_000,
    bodyLimitBytes: 16 * 1024,
    maxOrderTotal: 5_000_000,
    wechatTimeoutMs: 5000,
    wechatRetries: 2,
    notifyWindowSeconds: 300,
    trustProxy: false,
    logLevel: (process.env.STACK_LOG_LEVEL as ServerConfig['logLevel'] | undefined) ?? 'silent',
  };
}
