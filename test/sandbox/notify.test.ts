import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RETRY_SCHEDULE_SECONDS, type Sandbox } from '../../sandbox';
import {
  createAndPay,
  decryptNotification,
  getJson,
  http,
  MerchantClient,
  mintOpenid,
  NotifyReceiver,
  postJson,
  putJson,
  startSandbox,
  tempCredentialsDir,
} from './support';

const creds = tempCredentialsDir();
const started: { close(): Promise<void> }[] = [];

afterAll(async () => {
  for (const s of started.reverse()) await s.close();
  creds.remove();
});

async function setup(timeScale: number, answer?: NotifyReceiver['answer']) {
  const sandbox = await startSandbox(creds.dir, { timeScale });
  const receiver = await new NotifyReceiver(answer).start();
  started.push(receiver, sandbox);
  const client = new MerchantClient(sandbox);
  const openid = await mintOpenid(sandbox, 'notify-user');
  return { sandbox, receiver, client, openid };
}

interface NotificationView {
  id: string;
  state: string;
  fault?: string;
  outTradeNo: string;
  attempts: {
    n: number;
    status?: number;
    error?: string;
    responseBody?: string;
    responseBytes?: number;
    acknowledged: boolean;
  }[];
}

async function notifications(sandbox: Sandbox): Promise<NotificationView[]> {
  return (await getJson(`${sandbox.url}/sandbox/notifications`))
    .notifications as NotificationView[];
}

async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('notification delivery', () => {
  test('the schedule is 15s,15s,30s,3m,10m,20m,30m,30m,30m,60m,3h,3h,3h,6h,6h', () => {
    expect(RETRY_SCHEDULE_SECONDS).toEqual([
      15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
    ]);
  });

  test('fails 4 times then acknowledges: 5 attempts spaced 15:15:30:180 (× timeScale)', async () => {
    const { sandbox, receiver, client, openid } = await setup(0.004, (n) => (n <= 4 ? 500 : 200));
    const { outTradeNo } = await createAndPay(client, openid, receiver.url);
    await receiver.waitFor(5);
    const t = receiver.received.map((r) => r.at);
    const gaps = t.slice(1).map((x, i) => x - (t[i] ?? 0));
    // 60, 60, 120, 720 ms nominal; timers only ever fire late, so check floors and ratios.
    const nominal = [15, 15, 30, 180].map((s) => s * 1000 * 0.004);
    nominal.forEach((n, i) => expect(gaps[i]).toBeGreaterThanOrEqual(n - 5));
    // The 3 m gap dwarfs the 15 s one (12× nominal; a loaded machine only stretches short gaps).
    expect((gaps[3] ?? 0) / (gaps[0] ?? 1)).toBeGreaterThan(4);
    // Same event each time, freshly signed.
    const ids = receiver.received.map((r) => (JSON.parse(r.body) as { id: string }).id);
    expect(new Set(ids).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.headers['wechatpay-nonce'])).size).toBe(5);
    await until(async () => (await notifications(sandbox))[0]?.state === 'delivered');
    const [n] = await notifications(sandbox);
    expect(n?.outTradeNo).toBe(outTradeNo);
    expect(n?.attempts.map((a) => a.status)).toEqual([500, 500, 500, 500, 200]);
    expect(n?.attempts.map((a) => a.acknowledged)).toEqual([false, false, false, false, true]);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(5);
  });

  test('never acknowledged: 1 + 15 attempts over the whole (scaled) schedule, then failed', async () => {
    const scale = 0.00002; // 24 h 4 min → ~1.7 s
    const { sandbox, receiver, client, openid } = await setup(scale, () => 503);
    const t0 = Date.now();
    await createAndPay(client, openid, receiver.url);
    await receiver.waitFor(16, 8000);
    const total = Date.now() - t0;
    const sum = RETRY_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0) * 1000 * scale;
    expect(total).toBeGreaterThanOrEqual(sum * 0.95);
    const t = receiver.received.map((r) => r.at);
    const lastGap = (t[15] ?? 0) - (t[14] ?? 0); // 6 h → 432 ms
    expect(lastGap).toBeGreaterThanOrEqual(400);
    await until(async () => (await notifications(sandbox))[0]?.state === 'failed');
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(16);
  });

  test('204 acknowledges; anything else (4xx, hang past the timeout) is retried', async () => {
    const { sandbox, receiver, client, openid } = await setup(0.001, (n) =>
      n === 1 ? 'hang' : n === 2 ? 404 : 204,
    );
    await createAndPay(client, openid, receiver.url);
    await receiver.waitFor(3, 4000);
    await until(async () => (await notifications(sandbox))[0]?.state === 'delivered');
    const [n] = await notifications(sandbox);
    expect(n?.attempts[0]?.error).toMatch(/no answer within 1000 ms/);
    expect(n?.attempts.map((a) => a.status)).toEqual([undefined, 404, 204]);
  });

  test('advancing the virtual clock delivers due retries at once (timeScale 1)', async () => {
    const { sandbox, receiver, client, openid } = await setup(1, (n) => (n === 1 ? 500 : 200));
    await createAndPay(client, openid, receiver.url);
    await receiver.waitFor(1);
    await until(async () => (await notifications(sandbox))[0]?.attempts.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received).toHaveLength(1);
    await postJson(`${sandbox.url}/sandbox/clock`, { advanceSeconds: 14 });
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received).toHaveLength(1);
    await postJson(`${sandbox.url}/sandbox/clock`, { advanceSeconds: 1 });
    await receiver.waitFor(2, 1000);
    await until(async () => (await notifications(sandbox))[0]?.state === 'delivered');
  });

  test("the merchant's answer is recorded: its first 512 bytes, never half a character, and its length", async () => {
    const { sandbox, client, openid } = await setup(0.001);
    // 3-byte characters from byte 1 on: byte 512 falls inside one.
    const refusal = `{${'忙'.repeat(300)}}`;
    let answered = 0;
    const merchant = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        answered += 1;
        res.writeHead(answered === 1 ? 500 : 204);
        res.end(answered === 1 ? refusal : undefined);
      });
    });
    await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
    started.push({
      close: () => {
        merchant.closeAllConnections();
        return new Promise<void>((resolve) => merchant.close(() => resolve()));
      },
    });
    const url = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}/pay/notify`;
    await createAndPay(client, openid, url);
    await until(async () => (await notifications(sandbox))[0]?.state === 'delivered');
    const [first, second] = (await notifications(sandbox))[0]?.attempts ?? [];
    expect(first?.status).toBe(500);
    expect(first?.responseBytes).toBe(Buffer.byteLength(refusal));
    expect(first?.responseBody).toBe(`{${'忙'.repeat(170)}`);
    expect(second).toMatchObject({ status: 204, responseBody: '', responseBytes: 0 });
  });

  test('unreachable notify_url is recorded as an error and retried', async () => {
    const { sandbox, receiver, client, openid } = await setup(0.001);
    const deadUrl = receiver.url;
    await receiver.close();
    await createAndPay(client, openid, deadUrl);
    await until(async () => ((await notifications(sandbox))[0]?.attempts.length ?? 0) >= 2);
    const [n] = await notifications(sandbox);
    expect(n?.attempts[0]?.error).toMatch(/ECONNREFUSED/);
  });
});

describe('notification faults', () => {
  test('drop: never sent', async () => {
    const { sandbox, receiver, client, openid } = await setup(0.001);
    await putJson(`${sandbox.url}/sandbox/faults`, [
      { endpoint: 'notify', kind: 'drop', times: 1 },
    ]);
    await createAndPay(client, openid, receiver.url);
    await createAndPay(client, openid, receiver.url);
    await receiver.waitFor(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(receiver.received).toHaveLength(1);
    const ns = await notifications(sandbox);
    expect(ns.map((n) => n.state)).toEqual(['dropped', 'delivered']);
  });

  test('duplicate: the same event arrives twice', async () => {
    const { sandbox, receiver, client, openid } = await setup(0.001);
    await putJson(`${sandbox.url}/sandbox/faults`, [{ endpoint: 'notify', kind: 'duplicate' }]);
    await createAndPay(client, openid, receiver.url);
    await receiver.waitFor(2);
    const [a, b] = receiver.received.map((r) =>
      decryptNotification(sandbox.credentials.apiV3Key, r.body),
    );
    expect(a?.event.id).toBe(b?.event.id);
    expect(a?.resource).toEqual(b?.resource);
    expect((await notifications(sandbox)).map((n) => n.fault)).toEqual([undefined, 'duplicate']);
  });

  test('delay: first delivery waits latencyMs', async () => {
    const { sandbox, receiver, client, openid } = await setup(0.001);
    await putJson(`${sandbox.url}/sandbox/faults`, [
      { endpoint: 'notify', kind: 'delay', latencyMs: 300 },
    ]);
    const t0 = Date.now();
    await createAndPay(client, openid, receiver.url);
    await receiver.waitFor(1);
    expect((receiver.received[0]?.at ?? 0) - t0).toBeGreaterThanOrEqual(290);
  });

  test('out_of_order: a held event arrives after the next one', async () => {
    const { sandbox, receiver, client, openid } = await setup(0.02);
    await putJson(`${sandbox.url}/sandbox/faults`, [
      { endpoint: 'notify', kind: 'out_of_order', times: 1 },
    ]);
    const first = await createAndPay(client, openid, receiver.url);
    await new Promise((r) => setTimeout(r, 20));
    expect(receiver.received).toHaveLength(0);
    const second = await createAndPay(client, openid, receiver.url);
    await receiver.waitFor(2);
    const order = receiver.received.map(
      (r) => decryptNotification(sandbox.credentials.apiV3Key, r.body).resource.out_trade_no,
    );
    expect(order).toEqual([second.outTradeNo, first.outTradeNo]);
  });

  test('out_of_order with no successor is released after a while (30 s × timeScale)', async () => {
    const { sandbox, receiver, client, openid } = await setup(0.005);
    await putJson(`${sandbox.url}/sandbox/faults`, [
      { endpoint: 'notify', kind: 'out_of_order', times: 1 },
    ]);
    const t0 = Date.now();
    await createAndPay(client, openid, receiver.url);
    await receiver.waitFor(1);
    expect((receiver.received[0]?.at ?? 0) - t0).toBeGreaterThanOrEqual(140);
  });

  test('bad_signature / probe_signature on the first delivery: a verifying merchant refuses, the retry is good', async () => {
    for (const kind of ['bad_signature', 'probe_signature']) {
      const { sandbox, receiver, client, openid } = await setup(0.001);
      receiver.answer = (_n, body, headers) => (client.verify(headers, body) ? 204 : 401);
      await putJson(`${sandbox.url}/sandbox/faults`, [{ endpoint: 'notify', kind, times: 1 }]);
      await createAndPay(client, openid, receiver.url);
      await receiver.waitFor(2);
      const [first, second] = receiver.received;
      expect(client.verify(first?.headers ?? {}, first?.body ?? '')).toBe(false);
      expect(client.verify(second?.headers ?? {}, second?.body ?? '')).toBe(true);
      if (kind === 'probe_signature') {
        expect(String(first?.headers['wechatpay-signature'])).toMatch(/^WECHATPAY\/SIGNTEST\//);
      }
    }
  });

  test('invalid fault combinations are refused and change nothing', async () => {
    const { sandbox } = await setup(0.001);
    await putJson(`${sandbox.url}/sandbox/faults`, [{ endpoint: 'notify', kind: 'drop' }]);
    const bad = await putJson(`${sandbox.url}/sandbox/faults`, [
      { endpoint: 'notify', kind: 'reset' },
    ]);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ code: 'INVALID_FAULT' });
    const list = await getJson(`${sandbox.url}/sandbox/faults`);
    expect(list.faults).toEqual([{ endpoint: 'notify', kind: 'drop', applied: 0 }]);
    expect(
      (await putJson(`${sandbox.url}/sandbox/faults`, [{ endpoint: 'nowhere', kind: 'drop' }]))
        .status,
    ).toBe(400);
    expect(
      (
        await putJson(`${sandbox.url}/sandbox/faults`, [
          { endpoint: 'notify', kind: 'drop', rate: 2 },
        ])
      ).status,
    ).toBe(400);
    expect((await http(`${sandbox.url}/sandbox/faults`, { method: 'DELETE' })).status).toBe(200);
  });
});
