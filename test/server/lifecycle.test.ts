/**
 * Server lifecycle and hygiene against the real sandbox: graceful shutdown finishes in-flight
 * requests; logs carry WeChat's Request-ID but no secret; GET queries are rate-limited per order.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from '../../server/logger';
import { OffsetClock, startServer } from '../../server';
import { startStack } from '../../dev/stack';
import type { Stack } from '../../dev/stack';
import type { Order } from '../../typings/api';
import { call, cashier, createOrder, faults, loginCode, pay, session } from './http';

describe('logs', () => {
  let stack: Stack;
  const lines: string[] = [];
  beforeAll(async () => {
    stack = await startStack({ serverConfig: { jobsEnabled: false } });
  });
  afterAll(() => stack.close());

  it('carry Request-ID of WeChat calls and never a secret', async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const logger = pino(loggerOptions('trace'), sink);
    const server = await startServer(
      { ...stack.config, databaseUrl: ':memory:', jobsEnabled: false },
      { logger, clock: new OffsetClock() },
    );
    try {
      const { code } = await loginCode(stack, 'log-user');
      const s = (
        await call<{ token: string; openid: string }>(`${server.url}/api/session`, {
          body: { code },
        })
      ).body;
      const served = { sandboxUrl: stack.sandboxUrl, serverUrl: server.url };
      const o = await createOrder(served);
      const p = await pay(served, o, s.token);
      expect(p.status).toBe(200);
      await call(`${server.url}/api/orders/${o.orderNo}`, { token: s.token });
      await call(`${server.url}/api/orders/${o.orderNo}/refund`, {
        body: {},
        headers: { authorization: `Bearer ${stack.adminToken}` },
      });
      const sessionKey = (
        await server.storage.db
          .selectFrom('sessions')
          .select('session_key')
          .executeTakeFirstOrThrow()
      ).session_key;
      const text = lines.join('\n');
      const wechatCalls = lines
        .map((l) => JSON.parse(l) as { msg?: string; requestId?: string })
        .filter((l) => l.msg === 'WeChat Pay call');
      expect(wechatCalls.length).toBeGreaterThan(0);
      for (const c of wechatCalls) expect(c.requestId).toEqual(expect.any(String));
      for (const secret of [
        s.token,
        o.orderToken,
        sessionKey,
        stack.config.appSecret,
        stack.config.apiV3Key,
        p.body.paySign,
        stack.adminToken,
        'WECHATPAY2-SHA256',
        'PRIVATE KEY',
      ]) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await server.close();
    }
  });
});

describe('lifecycle', () => {
  it('close() lets an in-flight request finish', async () => {
    const stack = await startStack({ serverConfig: { jobsEnabled: false } });
    try {
      const s = await session(stack, 'slow');
      const o = await createOrder(stack);
      await faults(stack, [{ endpoint: 'jsapi', kind: 'latency', latencyMs: 400 }]);
      const inflight = pay(stack, o, s.token);
      await new Promise((r) => setTimeout(r, 100));
      const closed = stack.server.close();
      const r = await inflight;
      await closed;
      expect(r.status).toBe(200);
      expect(r.body.package).toMatch(/^prepay_id=/);
      await expect(fetch(`${stack.serverUrl}/healthz`)).rejects.toThrow();
    } finally {
      await stack.close();
    }
  });

  it('GET /api/orders/:orderNo asks WeChat at most once per interval per order', async () => {
    const stack = await startStack({
      serverConfig: { jobsEnabled: false, orderQueryIntervalMs: 60_000 },
    });
    try {
      const s = await session(stack, 'poller');
      const o = await createOrder(stack);
      const p = await pay(stack, o, s.token);
      const view = async (): Promise<string> =>
        (await call<Order>(`${stack.serverUrl}/api/orders/${o.orderNo}`, { token: s.token })).body
          .status;
      expect(await view()).toBe('pending'); // queried: NOTPAY
      await faults(stack, [{ endpoint: 'notify', kind: 'drop' }]);
      await cashier(stack, s.openid, p.body, 'success');
      expect(await view()).toBe('pending'); // inside the interval: stored state, no query
      await stack.advance(61);
      expect(await view()).toBe('paid');
    } finally {
      await stack.close();
    }
  });
});
