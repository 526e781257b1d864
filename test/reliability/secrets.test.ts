/**
 * Reliability, secrets: after a run that exercises every route, success and failure (sign-in,
 * create, pay, cashier, notification, reads, refunds, faults at WeChat, refusals), no secret
 * appears in the client bundles (dist/), in any response but the one that hands it out, or in
 * any log line the server wrote.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { DIST } from '../../dev/dist';
import type { Stack } from '../../dev/stack';
import {
  call,
  cashier,
  clearFaults,
  createOrder,
  faults,
  loginCode,
  pay,
  session,
  storedStatus,
  waitFor,
} from '../server/http';
import { useStack } from './suite';
import { useTally } from './tally';

/** Every server response this file saw: which request, and the whole answer as text. */
interface Seen {
  request: string;
  text: string;
}

const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
const env = useStack('sqlite', { logger, serverConfig: { queryDelaySeconds: 0 } });
// API v2 signs with its own key, sends it nowhere, and refunds over mutual TLS.
const v2 = useStack('sqlite', { logger, scheme: 'v2', serverConfig: { queryDelaySeconds: 0 } });
const tally = useTally('secrets');
const seen: Seen[] = [];

const realFetch = globalThis.fetch;
beforeAll(() => {
  globalThis.fetch = async (input, init) => {
    const res = await realFetch(input, init);
    const url = String(input instanceof Request ? input.url : input);
    if (url.startsWith(env.stack.serverUrl) || url.startsWith(v2.stack.serverUrl)) {
      const headers = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
      const text = await res.clone().text();
      seen.push({ request: `${init?.method ?? 'GET'} ${url}`, text: `${headers}\n\n${text}` });
    }
    return res;
  };
});
afterAll(() => {
  globalThis.fetch = realFetch;
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** A run through every route, with failures at WeChat and refusals along the way. */
async function exercise(stack: Stack) {
  const codes: string[] = [];
  const login = async (user: string) => {
    const { code } = await loginCode(stack, user);
    codes.push(code);
    return (await call<{ token: string }>(`${stack.serverUrl}/api/session`, { body: { code } }))
      .body;
  };
  const s = await login('secrets-payer');
  const o = await createOrder(stack, [{ sku: 'TEA-LJ-250', quantity: 1 }]);
  await faults(stack, [{ endpoint: 'jsapi', kind: 'bad_signature', times: 1 }]);
  expect((await pay(stack, o, s.token)).status).toBe(502);
  await clearFaults(stack);
  const p = await pay(stack, o, s.token);
  expect(p.status).toBe(200);
  const openid = (await session(stack, 'secrets-payer')).openid;
  expect(await cashier(stack, openid, p.body, 'success')).toBe('requestPayment:ok');
  await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'paid');
  await call(`${stack.serverUrl}/api/orders/${o.orderNo}`, { token: s.token });
  // Refusals: a stranger, a forged bearer, a used login code, a wrong admin token.
  const stranger = await login('secrets-stranger');
  await call(`${stack.serverUrl}/api/orders/${o.orderNo}`, { token: stranger.token });
  await call(`${stack.serverUrl}/api/orders/${o.orderNo}/pay`, {
    method: 'POST',
    headers: { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  });
  await call(`${stack.serverUrl}/api/session`, { body: { code: codes[0] } });
  await call(`${stack.serverUrl}/api/orders/${o.orderNo}/refund`, {
    body: {},
    token: 'not-the-admin-token-at-all',
  });
  await faults(stack, [{ endpoint: 'refund', kind: 'system_error' }]);
  await call(`${stack.serverUrl}/api/orders/${o.orderNo}/refund`, {
    body: { amount: 1 },
    token: stack.adminToken,
  });
  await clearFaults(stack);
  await call(`${stack.serverUrl}/api/orders/${o.orderNo}/refund`, {
    body: { amount: 1, reason: '客户取消' },
    token: stack.adminToken,
  });
  await stack.advance(10);
  await stack.server.jobs.runOnce();
  return { s, stranger, o, p, codes };
}

it.each([
  ['API v3', () => env.stack],
  ['API v2', () => v2.stack],
])(
  '%s: no secret reaches dist/, a response that does not hand it out, or a log line',
  async (_scheme, stackOf) => {
    const stack = stackOf();
    const run = await exercise(stack);
    const sessionKeys = (
      await stack.server.storage.db.selectFrom('sessions').select('session_key').execute()
    ).map((r) => r.session_key);
    const keyBody = stack.config.merchantPrivateKeyPem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('');

    /** name → value, and the one request whose answer may carry it (its purpose). */
    const secrets: Array<[string, string, RegExp | null]> = [
      ['app secret', stack.config.appSecret, null],
      ['APIv3 key', stack.config.apiV3Key, null],
      ['merchant private key (a line of it)', keyBody.slice(64, 128), null],
      ['admin token', stack.adminToken, null],
      ['session_key', sessionKeys[0] ?? 'none', null],
      ['session token', run.s.token, /^POST .*\/api\/session$/],
      ["another user's session token", run.stranger.token, /^POST .*\/api\/session$/],
      ['order token', run.o.orderToken, /^POST .*\/api\/orders$/],
      ['paySign', run.p.body.paySign, /^POST .*\/pay$/],
      ['wx.login code', run.codes[0] ?? 'none', null],
      ...(stack.config.v2
        ? [['APIv2 key', stack.config.v2.key, null] as [string, string, null]]
        : []),
      ...(stack.config.cashierApp
        ? [
            ["the cashier mini program's AppSecret", stack.config.cashierApp.appSecret, null] as [
              string,
              string,
              null,
            ],
          ]
        : []),
    ];
    expect(sessionKeys.length).toBeGreaterThan(0);
    expect(logLines.length).toBeGreaterThan(10);
    expect(seen.length).toBeGreaterThan(10);

    const dist = filesUnder(DIST).map((f) => [f, readFileSync(f, 'utf8')] as const);
    expect(dist.length).toBeGreaterThan(5);
    for (const [name, value, allowedIn] of secrets) {
      await tally.check(`${name} kept secret`, () => {
        expect(value.length).toBeGreaterThanOrEqual(8);
        for (const line of logLines) expect(line).not.toContain(value);
        // The scan sees what it should: the answer that hands the secret out does carry it.
        if (allowedIn) {
          expect(seen.some((r) => allowedIn.test(r.request) && r.text.includes(value))).toBe(true);
        }
        for (const r of seen) {
          if (allowedIn?.test(r.request)) continue;
          if (r.text.includes(value))
            throw new Error(`${name} appeared in the answer to ${r.request}`);
        }
        for (const [file, text] of dist) {
          if (text.includes(value)) throw new Error(`${name} appeared in ${file}`);
        }
      });
    }
    await tally.check('no private key or server-only name in dist/', () => {
      for (const [file, text] of dist) {
        for (const pattern of [/PRIVATE KEY/, /session_key/, /appSecret|apiV3Key|ADMIN_TOKEN/]) {
          if (pattern.test(text)) throw new Error(`${file} matches ${pattern}`);
        }
      }
    });
  },
  30_000,
);
