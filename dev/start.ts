/**
 * `npm start` (after `gulp build`): the sandbox and the merchant server on this machine, one
 * scripted purchase through the WeChat emulator as a smoke check, then both stay up for WeChat
 * DevTools, the sandbox page and curl. Ctrl-C stops everything; a second start reuses the keys
 * (.dev-credentials/) and the data (var/).
 *
 *   START_SMOKE_ONLY=1 npm start   (or `tsx dev/start.ts --once`): exit after the smoke check,
 *                                   0 when it passed.
 *
 * Environment: PORT (server, 3000), SANDBOX_PORT (3100), SANDBOX_TLS_PORT (3101, API v2's mutual
 * TLS), WECHAT_PAY_SCHEME (v3 | v3-partner | v2), DATABASE_URL (var/server.sqlite),
 * DEV_CREDENTIALS_DIR (.dev-credentials), LOG_LEVEL (server, default warn), and every server
 * setting in server/README.md.
 */
// First: pages render into a DOM, which miniprogram-simulate needs before it loads.
import { ROOT } from './dist';
import { removeNodeDom } from './node-dom-installed';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../server';
import { StackStartError, startStack } from './stack';
import type { Stack } from './stack';
import type { CatalogResponse } from '../typings/api';
import { tapPayButton } from './emulator/navigator';
import { pickUpPhone } from './phone';
import { loadPages, textOf, waitForPhase } from './pages-harness';

const DIST_MINIPROGRAM = path.join(ROOT, 'dist', 'miniprogram');
const SMOKE_USER = 'demo-shopper';
/** Catalogue skus of the smoke cart (server/catalog.ts). */
const SMOKE_ITEMS = 'TEA-LJ-250:1,CUP-CLAY-01:2';

const once = process.env.START_SMOKE_ONLY === '1' || process.argv.includes('--once');
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) =>
  color ? `\u001b[${code}m${text}\u001b[0m` : text;
const bold = paint(1);
const dim = paint(2);
const green = paint(32);
const red = paint(31);
const yellow = paint(33);

const rel = (file: string): string => {
  const relative = path.relative(process.cwd(), file);
  return relative === '' ? '.' : relative.startsWith('..') ? file : relative;
};

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} must be a port number (0–65535), got "${raw}"`);
  }
  return port;
}

function describeListenError(err: unknown, what: string, envName: string): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new Error(
      `${what}: the port is already in use (another npm start?). Stop it, or set ${envName}.`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

interface Running extends Stack {
  credentialsReused: boolean;
}

async function startStackForDevelopment(): Promise<Running> {
  const credentialsDir = path.resolve(
    ROOT,
    process.env.DEV_CREDENTIALS_DIR ?? path.join(ROOT, '.dev-credentials'),
  );
  const credentialsReused = existsSync(path.join(credentialsDir, 'merchant', 'config.json'));
  try {
    const stack = await startStack({
      credentialsDir,
      timeScale: 1,
      sandbox: {
        port: portFrom('SANDBOX_PORT', 3100),
        tlsPort: portFrom('SANDBOX_TLS_PORT', 3101),
        logger: false,
      },
      // The server reads its settings as in production; only the sandbox's URL and the dev
      // credentials it generated are given.
      configFor: (sandbox) => {
        const config = loadConfig({
          LOG_LEVEL: 'warn',
          ...process.env,
          SANDBOX_URL: sandbox.url,
          SANDBOX_TLS_URL: sandbox.tlsUrl,
          DEV_CREDENTIALS_DIR: credentialsDir,
        });
        if (!/^postgres(ql)?:/.test(config.databaseUrl) && config.databaseUrl !== ':memory:') {
          mkdirSync(path.dirname(config.databaseUrl), { recursive: true });
        }
        return config;
      },
    });
    return { ...stack, credentialsReused };
  } catch (err) {
    if (!(err instanceof StackStartError)) throw err;
    throw describeListenError(
      err.cause,
      err.side,
      err.side === 'sandbox' ? 'SANDBOX_PORT' : 'PORT',
    );
  }
}

/** WECHAT_PAY_SCHEME as the server took it, e.g. "v2 (MD5, refunds over mutual TLS)". */
function describeScheme(c: Stack['config']): string {
  const scheme = c.payScheme ?? 'v3';
  if (scheme === 'v2') return `API v2 (${c.v2?.signType ?? 'MD5'}, refunds over mutual TLS)`;
  if (scheme === 'v3-partner') {
    const subs = (c.subMerchants ?? []).map((s) => `${s.subMchId} ← ${s.hosts.join(',')}`);
    return `API v3 service provider ${c.mchId} (sub-merchants ${subs.join('; ')})`;
  }
  return `API v3 direct merchant ${c.mchId}`;
}

/** What the shop will offer, as the running server's catalogue says. */
async function describeChannels(serverUrl: string): Promise<string> {
  try {
    const res = await fetch(`${serverUrl}/api/catalog`);
    const catalog = (await res.json()) as CatalogResponse;
    const parts = catalog.channels.map((channel) =>
      channel === 'half-screen' && catalog.cashierApp
        ? `half-screen ${dim(`(cashier ${catalog.cashierApp.appId}: dist/cashier/, devtools/cashier/)`)}`
        : channel,
    );
    if (!catalog.channels.includes('jump-out')) {
      parts.push(dim('(jump-out: AGGREGATOR_PROVIDER=md5-sorted)'));
    }
    return parts.join(', ');
  } catch (err) {
    return red(`unknown (${err instanceof Error ? err.message : String(err)})`);
  }
}

interface SmokeResult {
  ok: boolean;
  ms: number;
}

/**
 * One purchase the way a phone makes it: the BUILT shop pages rendered in miniprogram-simulate,
 * the plugin's pay-button tapped, WeChat's side played by the emulator (functional page from
 * dist/, sandbox cashier), the result page polling the server. Then the server's database and
 * the sandbox must agree.
 */
async function smokePurchase(run: Running): Promise<SmokeResult> {
  const started = Date.now();
  const step = (n: number, text: string) => console.log(`  ${bold(`${n}.`)} ${text}`);
  const detail = (text: string) => console.log(`     ${dim(text)}`);

  const built = readBuiltConfig();

  const sandboxUrl = run.sandbox.url;
  const serverUrl = run.server.url;
  if (built.API_BASE_URL !== serverUrl) {
    detail(
      `dist/ was built for ${built.API_BASE_URL}; the emulator routes the shop to ${serverUrl}`,
    );
  }
  const ids = loadPages('dist');
  const phone = pickUpPhone(
    {
      serverUrl,
      sandboxUrl,
      shopApiBase: built.API_BASE_URL,
      user: SMOKE_USER,
      cashierOutcome: 'success',
    },
    ids,
  );
  try {
    const confirm = phone.open('order-confirm', { items: SMOKE_ITEMS });
    await waitForPhase(confirm, 'ready', 15_000);
    const { orderNo, orderToken } = confirm.data.paymentArgs as {
      orderNo: string;
      orderToken: string;
    };
    const lines = confirm.data.view as { lines: Array<{ name: string; quantity: number }> };
    step(1, `order-confirm page: ${lines.lines.map((l) => `${l.name} ×${l.quantity}`).join(', ')}`);
    detail(
      `POST /api/orders → ${orderNo}; goods ${textOf(confirm, '#goods')}, shipping ${textOf(confirm, '#shipping')}, amount due ${textOf(confirm, '#due')}; ${textOf(confirm, '#countdown')}`,
    );

    const button = confirm.querySelector('#pay-button');
    if (!button) throw new Error('the pay-button is not on the page');
    step(
      2,
      `tap the plugin's pay-button (fee ${String(confirm.data.fee)} fen, paymentArgs { orderNo, orderToken })`,
    );
    tapPayButton(button);
    let trips: Record<string, number> = {};
    const result = await phone.followRedirect(20_000, () => {
      trips = { ...phone.wx.emulator.roundTripsByUrl };
    });
    const record = phone.runner.records[0];
    detail(
      `wx.requestPluginPayment → functional page ${rel(path.join(DIST_MINIPROGRAM, 'functional-pages', 'request-payment.js'))}`,
    );
    detail(
      `beforeRequestPayment: wx.login (${trips['POST /sandbox/login-code'] ?? 0}) → POST /api/session (${trips['POST /api/session'] ?? 0}) → POST /api/orders/${orderNo}/pay (${trips[`POST /api/orders/${orderNo}/pay`] ?? 0}) → ${record?.result?.args?.package ?? '?'}`,
    );
    step(3, `WeChat cashier (sandbox): ${phone.wx.emulator.payments[0]?.errMsg ?? '?'}`);
    detail(`pay-button success → redirectTo /pages/pay-result/index?orderNo=${orderNo}`);

    await waitForPhase(result.page, ['paid', 'expired', 'still-confirming', 'error'], 40_000);
    const phase = String(result.page.data.phase);
    step(
      4,
      `pay-result page: ${textOf(result.page, '#title') || phase}, ${textOf(result.page, '#amount')}, paid at ${textOf(result.page, '#paid-at') || '—'}`,
    );
    const reads = phone.wx.emulator.roundTripsByUrl[`GET /api/orders/${orderNo}`] ?? 0;
    const signIns = phone.wx.emulator.roundTripsByUrl['POST /api/session'] ?? 0;
    detail(
      `the page read GET /api/orders/${orderNo} ×${reads} with the order's token; sign-ins in this purchase: ${signIns}`,
    );
    if (phase !== 'paid') throw new Error(`the result page ended in "${phase}", not "paid"`);

    // The server's truth against WeChat's (the sandbox's).
    const order = await getJson<{ status: string; total: number; transactionId?: string }>(
      `${serverUrl}/api/orders/${orderNo}`,
      { 'x-order-token': orderToken },
    );
    const wechat = await waitForNotification(sandboxUrl, orderNo);
    const agree =
      order.status === 'paid' &&
      wechat.state === 'SUCCESS' &&
      order.total === wechat.total &&
      order.transactionId === wechat.transactionId;
    step(
      5,
      `server: ${order.status} ${order.total} fen, ${order.transactionId ?? '-'}; sandbox: ${wechat.state} ${wechat.total} fen, notification ${wechat.notification}`,
    );
    if (!agree) throw new Error('the server and the sandbox disagree about this order');
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    console.log(`  ${red('✗')} ${err instanceof Error ? err.message : String(err)}`);
    return { ok: false, ms: Date.now() - started };
  } finally {
    phone.put();
  }
}

/** The API base URL `gulp build` wrote into dist/ (MP_API_BASE_URL). */
function readBuiltConfig(): { API_BASE_URL: string } {
  const source = readFileSync(path.join(DIST_MINIPROGRAM, 'build-config.js'), 'utf8');
  const match = /exports\.API_BASE_URL = ("[^"]*");/.exec(source);
  if (!match?.[1]) throw new Error('dist/miniprogram/build-config.js has no API_BASE_URL: rebuild');
  return { API_BASE_URL: JSON.parse(match[1]) as string };
}

/** The shop page's own session token (lib/session.ts keeps it in storage). */
async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

interface SandboxView {
  state: string;
  total: number;
  transactionId?: string;
  notifications: Array<{ state: string; attempts: unknown[] }>;
}

async function waitForNotification(
  sandboxUrl: string,
  orderNo: string,
): Promise<{ state: string; total: number; transactionId?: string; notification: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const o = await getJson<SandboxView>(`${sandboxUrl}/sandbox/orders/${orderNo}`);
    const delivered = o.notifications.find((n) => n.state === 'delivered');
    if (delivered || Date.now() > deadline) {
      return {
        state: o.state,
        total: o.total,
        ...(o.transactionId !== undefined ? { transactionId: o.transactionId } : {}),
        notification: delivered
          ? `delivered (${delivered.attempts.length} attempt${delivered.attempts.length === 1 ? '' : 's'})`
          : 'not delivered yet',
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function printGuide(run: Running): void {
  const db = run.config.databaseUrl;
  const built = readBuiltConfig().API_BASE_URL;
  console.log('');
  console.log(bold('Running:'));
  console.log(`  merchant server   ${run.server.url}   (health: ${run.server.url}/healthz)`);
  console.log(
    `  WeChat sandbox    ${run.sandbox.url}   (orders & notifications: ${run.sandbox.url}/sandbox)`,
  );
  console.log(
    `  data              ${/^postgres/.test(db) ? db.replace(/\/\/[^@]*@/, '//***@') : rel(db)}; dev keys in ${rel(run.credentialsDir)}/ (${run.credentialsReused ? 'reused' : 'generated now'})`,
  );
  console.log('');
  console.log(bold('WeChat DevTools:'));
  console.log(`  1. Import the project at ${ROOT} (project.config.json: compileType "plugin",`);
  console.log(
    '     miniprogramRoot dist/miniprogram/, pluginRoot dist/plugin/). Put your own AppIDs in',
  );
  console.log(
    '     project.config.json and miniprogram/app.json (plugins.pay.provider) to use a real account.',
  );
  console.log(
    '  2. Run `npm run watch` so dist/ follows your edits; DevTools does not compile the TypeScript.',
  );
  if (built !== run.server.url) {
    console.log(
      `     ${yellow(`dist/ calls ${built}, not this server`)}: build with MP_API_BASE_URL=${run.server.url}`,
    );
  }
  console.log(
    '  3. Settings → Local settings: allow non-HTTPS / unlisted domains (urlCheck is off) so the',
  );
  console.log(`     shop can call ${run.server.url}.`);
  console.log(
    `  4. ${yellow('Functional pages (the payment step) do not run in DevTools')}: the pay-button says so.`,
  );
  console.log(
    '     Pay from a real device (Preview), with MP_API_BASE_URL set to an address the phone reaches,',
  );
  console.log('     or drive the whole flow locally with `npx jest test/e2e`.');
  console.log('');
  console.log(dim('Ctrl-C stops the server and the sandbox.'));
}

async function main(): Promise<void> {
  const t0 = Date.now();
  if (!existsSync(path.join(DIST_MINIPROGRAM, 'functional-pages', 'request-payment.js'))) {
    throw new Error('dist/ is missing: run `npm start` (it builds first) or `npx gulp build`.');
  }
  console.log(bold('wechat-plugin-pay: local stack'));
  const run = await startStackForDevelopment();
  console.log(
    `  sandbox  ${run.sandbox.url}  ${dim(`(credentials ${rel(run.credentialsDir)}, ${run.credentialsReused ? 'reused' : 'generated'})`)}`,
  );
  console.log(`  server   ${run.server.url}  ${dim(`(database ${rel(run.config.databaseUrl)})`)}`);
  console.log(`  scheme   ${describeScheme(run.config)}`);
  console.log(`  channels ${await describeChannels(run.server.url)}`);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await run.close();
    })());

  console.log('');
  console.log(bold(`Smoke purchase (emulated WeChat, user "${SMOKE_USER}"):`));
  const smoke = await smokePurchase(run);
  console.log(
    smoke.ok
      ? `  ${green('✓')} smoke purchase passed in ${(smoke.ms / 1000).toFixed(1)} s (start to here ${((Date.now() - t0) / 1000).toFixed(1)} s)`
      : `  ${red('✗')} smoke purchase failed${once ? '' : `: the stack stays up so you can look (${run.sandbox.url}/sandbox)`}`,
  );

  removeNodeDom();
  if (once) {
    await stop();
    process.exitCode = smoke.ok ? 0 : 1;
    return;
  }

  printGuide(run);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      console.log(`${signal} again: exiting now`);
      process.exit(130);
    }
    console.log(`\n${signal}: stopping the server (finishing requests) and the sandbox…`);
    stop().then(
      () => {
        console.log('stopped.');
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((err: unknown) => {
  console.error(
    red(
      err instanceof ConfigError
        ? `configuration error: ${err.message}`
        : err instanceof Error
          ? err.message
          : String(err),
    ),
  );
  process.exit(1);
});
