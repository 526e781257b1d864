/**
 * `npm start` in its smoke-only mode, twice on the same data: the scripted purchase passes, and
 * the second start reuses the keys and the database of the first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensureBuilt, ROOT } from '../dev/dist';

interface Run {
  code: number | null;
  output: string;
}

function runStart(dir: string, extra: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--require',
        createRequire(__filename).resolve('tsx/cjs'),
        path.join(ROOT, 'dev', 'start.ts'),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          START_SMOKE_ONLY: '1',
          PORT: '0',
          SANDBOX_PORT: '0',
          SANDBOX_TLS_PORT: '0',
          DATABASE_URL: path.join(dir, 'var', 'server.sqlite'),
          DEV_CREDENTIALS_DIR: path.join(dir, 'credentials'),
          NO_COLOR: '1',
          ...extra,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'wpp-start-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

it('runs one purchase end to end, then a second start reuses keys and data', async () => {
  const first = await runStart(dir);
  expect(first.output).toMatch(/credentials .*, generated\)/);
  // The sandbox's cashier app is on in development; the aggregator only when asked for.
  expect(first.output).toMatch(
    /channels plugin, half-screen \(cashier wx[0-9a-f]{16}: dist\/cashier\/, devtools\/cashier\/\), \(jump-out: AGGREGATOR_PROVIDER=md5-sorted\)/,
  );
  expect(first.output).toContain('1. order-confirm page: 西湖龙井茶 ×1, 宜兴紫砂杯 ×2');
  expect(first.output).toContain('3. WeChat cashier (sandbox): requestPayment:ok');
  expect(first.output).toMatch(/4\. pay-result page: 支付成功, ¥196\.00, paid at /);
  expect(first.output).toMatch(
    /5\. server: paid 19600 fen, \d+; sandbox: SUCCESS 19600 fen, notification delivered/,
  );
  expect(first.output).toContain('✓ smoke purchase passed');
  expect(first.code).toBe(0);

  const second = await runStart(dir);
  expect(second.output).toMatch(/credentials .*, reused\)/);
  expect(second.output).toContain('✓ smoke purchase passed');
  expect(second.code).toBe(0);

  const db = new Database(path.join(dir, 'var', 'server.sqlite'), { readonly: true });
  try {
    const rows = db.prepare("SELECT status, total FROM orders WHERE status = 'paid'").all();
    expect(rows).toEqual([
      { status: 'paid', total: 19600 },
      { status: 'paid', total: 19600 },
    ]);
  } finally {
    db.close();
  }
}, 60_000);

it.each([
  [
    'v2',
    { WECHAT_PAY_SCHEME: 'v2', WECHAT_V2_SIGN_TYPE: 'HMAC-SHA256' },
    /scheme {3}API v2 \(HMAC-SHA256/,
  ],
  [
    'v3-partner',
    { WECHAT_PAY_SCHEME: 'v3-partner' },
    /scheme {3}API v3 service provider \d+ \(sub-merchants \d+ ← \*\)\n {2}channels plugin, \(jump-out/,
  ],
])(
  'WECHAT_PAY_SCHEME=%s npm start runs the same purchase under that scheme',
  async (_s, env, says) => {
    const run = await runStart(dir, env);
    expect(run.output).toMatch(says);
    expect(run.output).toContain('3. WeChat cashier (sandbox): requestPayment:ok');
    expect(run.output).toContain('✓ smoke purchase passed');
    expect(run.code).toBe(0);
  },
  60_000,
);
