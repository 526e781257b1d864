import { getJson, http, jsapiBody, putJson, useSandbox } from './support';

const env = useSandbox({ user: 'fault-user' });
const NOTIFY = 'https://merchant.example.com/n';

afterEach(async () => {
  await http(`${env.sandbox.url}/sandbox/faults`, { method: 'DELETE' });
});

describe('v3 API faults', () => {
  test('system_error → 500 SYSTEM_ERROR (signed), and the order was not created', async () => {
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'jsapi', kind: 'system_error', times: 1 },
    ]);
    const b = jsapiBody(env.sandbox, env.openid, NOTIFY);
    const r = await env.client.call('POST', '/v3/pay/transactions/jsapi', b);
    expect([r.status, r.json?.code]).toEqual([500, 'SYSTEM_ERROR']);
    expect(r.verified).toBe(true);
    expect((await env.client.query(b.out_trade_no as string)).status).toBe(404);
    expect((await env.client.call('POST', '/v3/pay/transactions/jsapi', b)).status).toBe(200);
  });

  test('rate_limited → 429 FREQUENCY_LIMITED on the configured endpoint only', async () => {
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'close', kind: 'rate_limited' },
    ]);
    const r = await env.client.call('POST', '/v3/pay/transactions/out-trade-no/ABCDEF/close', {
      mchid: env.sandbox.credentials.mchId,
    });
    expect([r.status, r.json?.code]).toEqual([429, 'FREQUENCY_LIMITED']);
    expect((await env.client.query('ABCDEF')).status).toBe(404);
  });

  test('refund and refund-query endpoints take faults too', async () => {
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'refund', kind: 'system_error' },
      { endpoint: 'refund-query', kind: 'rate_limited' },
    ]);
    const r1 = await env.client.call('POST', '/v3/refund/domestic/refunds', {});
    expect(r1.status).toBe(500);
    const r2 = await env.client.call('GET', '/v3/refund/domestic/refunds/R1');
    expect(r2.status).toBe(429);
  });

  test('latency delays the answer by latencyMs', async () => {
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'query', kind: 'latency', latencyMs: 250 },
    ]);
    const t0 = Date.now();
    expect((await env.client.query('ABCDEF')).status).toBe(404);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
  });

  test('timeout: no answer at all (the client gives up)', async () => {
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'query', kind: 'timeout', times: 1 },
    ]);
    const t0 = Date.now();
    await expect(
      http(`${env.sandbox.url}/v3/pay/transactions/out-trade-no/ABCDEF?mchid=1`, {
        timeoutMs: 200,
      }),
    ).rejects.toThrow('client timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect((await env.client.query('ABCDEF')).status).toBe(404);
  });

  test('reset: the connection is torn down', async () => {
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'jsapi', kind: 'reset', times: 1 },
    ]);
    await expect(
      env.client.call(
        'POST',
        '/v3/pay/transactions/jsapi',
        jsapiBody(env.sandbox, env.openid, NOTIFY),
      ),
    ).rejects.toThrow(/ECONNRESET|socket hang up/);
  });

  test('rate 0 never fires, rate 1 always; applied counts are visible; times caps it', async () => {
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'query', kind: 'system_error', rate: 0 },
      { endpoint: 'query', kind: 'rate_limited', rate: 1, times: 2 },
    ]);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await env.client.query('ABCDEF')).status);
    expect(statuses).toEqual([429, 429, 404, 404]);
    const list = (await getJson(`${env.sandbox.url}/sandbox/faults`)).faults as {
      applied: number;
    }[];
    expect(list.map((f) => f.applied)).toEqual([0, 2]);
  });

  test('rate 0.5 hits roughly half', async () => {
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'query', kind: 'rate_limited', rate: 0.5 },
    ]);
    let limited = 0;
    for (let i = 0; i < 60; i++) if ((await env.client.query('ABCDEF')).status === 429) limited++;
    expect(limited).toBeGreaterThan(10);
    expect(limited).toBeLessThan(50);
  });
});
