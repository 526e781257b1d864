/**
 * The outbound transport (node:http + keep-alive agent) and the WeChat Pay client's retry rules on
 * it, against real loopback servers: exact body bytes, connection reuse, bounded sockets, the
 * response size cap, the per-attempt deadline, and which failures are retried with identical bytes.
 * The response signatures here are made with node:crypto directly from the fixture keys.
 */
import { createPrivateKey, createSign, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { systemClock } from '../../server/clock';
import { HttpClient, HttpNetworkError, ResponseTooLarge } from '../../server/wechat/http-client';
import { WechatPayClient, WechatPayError } from '../../server/wechat/pay/client';
import { loadPlatformKeys } from '../../server/wechat/pay/verify';
import type { JsapiOrderRequest } from '../../server/wechat/pay/types';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const PUB_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const platformKey = createPrivateKey(fixture('platform-pubkey-key.pem'));

type Handler = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void;

interface Upstream {
  url: string;
  connections: number;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }[];
  close(): Promise<void>;
}

async function upstream(handler: Handler): Promise<Upstream> {
  const state: Upstream = { url: '', connections: 0, requests: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      state.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
      });
      handler(req, body, res);
    });
  });
  server.on('connection', () => {
    state.connections += 1;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

/** WeChat-style response signature over timestamp, nonce and the exact body bytes. */
function signedHeaders(body: Buffer): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256')
    .update(Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), body, Buffer.from('\n')]))
    .sign(platformKey, 'base64');
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signature,
    'Wechatpay-Serial': PUB_KEY_ID,
    'Request-ID': 'req-' + nonce.slice(0, 8),
  };
}

function answer(res: http.ServerResponse, status: number, json: unknown, sign = true): void {
  const body = Buffer.from(JSON.stringify(json));
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': body.length,
    ...(sign ? signedHeaders(body) : {}),
  });
  res.end(body);
}

describe('HttpClient', () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });
  const client = (
    baseUrl: string,
    more: Partial<ConstructorParameters<typeof HttpClient>[0]> = {},
  ) => {
    const c = new HttpClient({ baseUrl, timeoutMs: 2000, ...more });
    open.push(c);
    return c;
  };

  it('returns the exact bytes received and reuses one kept-alive connection', async () => {
    // Not valid UTF-8, and big enough to arrive in several chunks.
    const payload = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xc3]), randomBytes(300_000)]);
    const up = await upstream((_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      for (let i = 0; i < payload.length; i += 65_536) res.write(payload.subarray(i, i + 65_536));
      res.end();
    });
    open.push(up);
    const c = client(up.url);
    for (let i = 0; i < 3; i++) {
      const r = await c.send('GET', '/bytes?x=1', {});
      expect(r.status).toBe(200);
      expect(r.body.equals(payload)).toBe(true);
    }
    expect(up.connections).toBe(1);
    expect(up.requests.map((q) => q.url)).toEqual(['/bytes?x=1', '/bytes?x=1', '/bytes?x=1']);
  });

  it('sends the body with its length, under the base URL path prefix', async () => {
    const up = await upstream((_req, _body, res) => answer(res, 201, { ok: true }, false));
    open.push(up);
    const c = client(`${up.url}/prefix/`);
    const body = JSON.stringify({ description: '龙井茶', amount: 1 });
    const r = await c.send('POST', '/v3/x', { 'Content-Type': 'application/json' }, body);
    expect(r.status).toBe(201);
    expect(up.requests[0]?.url).toBe('/prefix/v3/x');
    expect(up.requests[0]?.body.toString('utf8')).toBe(body);
    expect(up.requests[0]?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('opens at most maxSockets connections; the rest queue', async () => {
    const up = await upstream((_req, _body, res) => {
      setTimeout(() => answer(res, 200, { ok: true }, false), 40);
    });
    open.push(up);
    const c = client(up.url, { maxSockets: 2 });
    const all = await Promise.all(Array.from({ length: 6 }, () => c.send('GET', '/slow', {})));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(up.connections).toBe(2);
  });

  it('refuses an answer over the size cap, declared or streamed', async () => {
    const big = Buffer.alloc(5000, 0x61);
    const up = await upstream((req, _body, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'Content-Length': big.length });
        res.end(big);
      } else {
        res.writeHead(200); // chunked: the size is only known while reading
        res.write(big.subarray(0, 2500));
        setTimeout(() => res.end(big.subarray(2500)), 10);
      }
    });
    open.push(up);
    const c = client(up.url, { maxResponseBytes: 4096 });
    await expect(c.send('GET', '/declared', {})).rejects.toBeInstanceOf(ResponseTooLarge);
    await expect(c.send('GET', '/streamed', {})).rejects.toBeInstanceOf(ResponseTooLarge);
    // Exactly at the cap is fine.
    const ok = client(up.url, { maxResponseBytes: 5000 });
    expect((await ok.send('GET', '/declared', {})).body.length).toBe(5000);
  });

  it('gives up on an answer that stalls past the deadline, and on a refused connection', async () => {
    const up = await upstream((_req, _body, res) => {
      res.writeHead(200, { 'Content-Length': 10 });
      res.write('12345'); // and never the rest
    });
    open.push(up);
    const c = client(up.url, { timeoutMs: 150 });
    const started = Date.now();
    await expect(c.send('GET', '/stall', {})).rejects.toThrow(/timed out after 150 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(client('http://127.0.0.1:9').send('GET', '/', {})).rejects.toBeInstanceOf(
      HttpNetworkError,
    );
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => new HttpClient({ baseUrl: 'ftp://127.0.0.1', timeoutMs: 10 })).toThrow(
      /unsupported base URL/,
    );
  });
});

describe('WechatPayClient retry rules over the transport', () => {
  const merchantKey = WechatPayClient.privateKey(fixture('merchant-key.pem'));
  const platformKeys = loadPlatformKeys({ [PUB_KEY_ID]: fixture('platform-pubkey-pub.pem') });
  const order: JsapiOrderRequest = {
    appid: 'wx8888888888888888',
    mchid: '1230000109',
    description: 'West Lake Longjing tea, 250 g tin',
    out_trade_no: 'WP20261123ABCDEFGHJKMN',
    time_expire: '2026-11-23T23:00:00+08:00',
    notify_url: 'https://merchant.example.com/api/pay/notify',
    amount: { total: 12800, currency: 'CNY' },
    payer: { openid: 'o-fixture-payer' },
  };
  let up: Upstream | undefined;
  let pay: WechatPayClient | undefined;
  afterEach(async () => {
    pay?.destroy();
    await up?.close();
  });
  const clientFor = (url: string, more: { timeoutMs?: number; maxResponseBytes?: number } = {}) =>
    new WechatPayClient({
      baseUrl: url,
      mchId: '1230000109',
      merchantSerialNo: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
      merchantPrivateKey: merchantKey,
      platformKeys,
      wallClock: systemClock,
      logger: pino({ level: 'silent' }),
      timeoutMs: more.timeoutMs ?? 2000,
      retries: 2,
      retryDelayMs: 1,
      ...(more.maxResponseBytes ? { maxResponseBytes: more.maxResponseBytes } : {}),
    });

  it('retries a dropped connection with identical bytes and a fresh signature', async () => {
    let n = 0;
    up = await upstream((req, _body, res) => {
      if (++n < 3) {
        req.socket.destroy();
        return;
      }
      answer(res, 200, { prepay_id: 'wx23prepay' });
    });
    pay = clientFor(up.url);
    await expect(pay.createJsapi(order)).resolves.toEqual({ prepay_id: 'wx23prepay' });
    expect(up.requests).toHaveLength(3);
    const bodies = new Set(up.requests.map((r) => r.body.toString('utf8')));
    expect(bodies).toEqual(new Set([JSON.stringify(order)]));
    const auths = new Set(up.requests.map((r) => r.headers.authorization));
    expect(auths.size).toBe(3);
  });

  it('never retries a 4xx, and reports it verified when WeChat signed it', async () => {
    up = await upstream((_req, _body, res) =>
      answer(res, 400, { code: 'PARAM_ERROR', message: 'bad openid' }),
    );
    pay = clientFor(up.url);
    const err = await pay.createJsapi(order).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WechatPayError);
    expect(err).toMatchObject({ status: 400, code: 'PARAM_ERROR', verified: true });
    expect(up.requests).toHaveLength(1);
  });

  it('retries 429 within the bound, then fails with that status', async () => {
    up = await upstream((_req, _body, res) =>
      answer(res, 429, { code: 'FREQUENCY_LIMITED', message: 'slow down' }),
    );
    pay = clientFor(up.url);
    await expect(pay.createJsapi(order)).rejects.toMatchObject({ status: 429 });
    expect(up.requests).toHaveLength(3);
  });

  it('does not retry an oversized answer, and times out each attempt', async () => {
    up = await upstream((req, _body, res) => {
      if (req.url === '/v3/pay/transactions/jsapi') {
        answer(res, 200, { prepay_id: 'x'.repeat(10_000) });
      } else {
        res.writeHead(200); // query: headers, then nothing
      }
    });
    pay = clientFor(up.url, { maxResponseBytes: 2048, timeoutMs: 100 });
    await expect(pay.createJsapi(order)).rejects.toMatchObject({ status: 0, verified: false });
    expect(up.requests).toHaveLength(1);
    await expect(pay.queryByOutTradeNo(order.out_trade_no)).rejects.toThrow(/timed out/);
    expect(up.requests).toHaveLength(4);
  });

  it('rejects a success whose signature does not cover the bytes received', async () => {
    up = await upstream((_req, _body, res) => {
      const body = Buffer.from(JSON.stringify({ prepay_id: 'wx23prepay' }));
      res.writeHead(200, {
        ...signedHeaders(Buffer.from(JSON.stringify({ prepay_id: 'wx23other' }))),
        'Content-Length': body.length,
      });
      res.end(body);
    });
    pay = clientFor(up.url);
    await expect(pay.createJsapi(order)).rejects.toMatchObject({ status: 502, code: 'SIGN_ERROR' });
  });
});
