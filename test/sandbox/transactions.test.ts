import { http, jsapiBody, postJson, getJson, useSandbox } from './support';

const env = useSandbox({ user: 'trade-user' });
const NOTIFY = 'https://merchant.example.com/pay/notify';
const JSAPI = '/v3/pay/transactions/jsapi';

const body = (overrides: Record<string, unknown> = {}): Record<string, unknown> =>
  jsapiBody(env.sandbox, env.openid, NOTIFY, overrides);
const close = (no: string, mchid = env.sandbox.credentials.mchId) =>
  env.client.call('POST', `/v3/pay/transactions/out-trade-no/${no}/close`, { mchid });

describe('JSAPI create: validation', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['description too long', { description: 'x'.repeat(128) }, 'description'],
    ['description missing', { description: undefined }, 'description'],
    ['out_trade_no too short', { out_trade_no: 'A1234' }, 'out_trade_no'],
    ['out_trade_no too long', { out_trade_no: 'A'.repeat(33) }, 'out_trade_no'],
    ['out_trade_no bad chars', { out_trade_no: 'ABC DEF#1' }, 'out_trade_no'],
    ['attach too long', { attach: 'a'.repeat(129) }, 'attach'],
    ['amount as string', { amount: { total: '100', currency: 'CNY' } }, 'amount/properties/total'],
    ['amount zero', { amount: { total: 0, currency: 'CNY' } }, 'amount/properties/total'],
    ['amount negative', { amount: { total: -5, currency: 'CNY' } }, 'amount/properties/total'],
    ['amount fractional', { amount: { total: 1.5, currency: 'CNY' } }, 'amount/properties/total'],
    ['amount huge', { amount: { total: 1e12, currency: 'CNY' } }, 'amount/properties/total'],
    ['currency USD', { amount: { total: 1, currency: 'USD' } }, 'amount/properties/currency'],
    ['payer missing', { payer: undefined }, 'payer'],
    ['notify_url http non-loopback', { notify_url: 'http://merchant.example.com/n' }, 'notify_url'],
    ['notify_url with query', { notify_url: 'https://merchant.example.com/n?a=1' }, 'notify_url'],
    [
      'notify_url too long',
      { notify_url: `https://m.example.com/${'n'.repeat(250)}` },
      'notify_url',
    ],
    ['notify_url relative', { notify_url: '/pay/notify' }, 'notify_url'],
    ['time_expire not RFC 3339', { time_expire: '2030-01-01 10:00:00' }, 'time_expire'],
    ['time_expire impossible date', { time_expire: '2030-02-30T10:00:00+08:00' }, 'time_expire'],
    ['time_expire in the past', { time_expire: '2001-01-01T10:00:00+08:00' }, 'time_expire'],
    [
      'openid of another app',
      { payer: { openid: 'o' + 'x'.repeat(27) } },
      'payer/properties/openid',
    ],
  ];
  test.each(cases)('%s → 400 PARAM_ERROR', async (_name, overrides, field) => {
    const b = body(overrides);
    const r = await env.client.call('POST', JSAPI, b);
    expect(r.status).toBe(400);
    expect(r.json?.code).toBe('PARAM_ERROR');
    expect(typeof r.json?.message).toBe('string');
    expect((r.json?.detail as Record<string, unknown>).field).toBe(`#/properties/${field}`);
    expect(r.verified).toBe(true);
    // A refused request creates nothing.
    if (/^[A-Za-z0-9_*|-]{6,32}$/.test(String(b.out_trade_no))) {
      expect((await env.client.query(b.out_trade_no as string)).status).toBe(404);
    }
  });

  test('loopback http notify_url is accepted (local merchants)', async () => {
    for (const url of ['http://127.0.0.1:8080/n', 'http://localhost/n', 'https://example.com/n']) {
      expect((await env.client.call('POST', JSAPI, body({ notify_url: url }))).status).toBe(200);
    }
  });

  test('wrong appid → 400 APPID_MCHID_NOT_MATCH; other mchid → 403 NO_AUTH; nothing created', async () => {
    const b1 = body({ appid: env.sandbox.otherApp.appId });
    const r1 = await env.client.call('POST', JSAPI, b1);
    expect([r1.status, r1.json?.code]).toEqual([400, 'APPID_MCHID_NOT_MATCH']);
    const b2 = body({ mchid: '1234567890' });
    const r2 = await env.client.call('POST', JSAPI, b2);
    expect([r2.status, r2.json?.code]).toEqual([403, 'NO_AUTH']);
    expect((await env.client.query(b1.out_trade_no as string)).status).toBe(404);
    expect((await env.client.query(b2.out_trade_no as string)).status).toBe(404);
  });

  test('bad JSON, wrong content type, empty body, oversized body → 400 in WeChat shape', async () => {
    const bad = await env.client.call('POST', JSAPI, '{"appid":');
    expect([bad.status, bad.json?.code]).toEqual([400, 'INVALID_REQUEST']);
    const form = await env.client.call('POST', JSAPI, 'a=1', {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect([form.status, form.json?.code]).toEqual([400, 'INVALID_REQUEST']);
    const empty = await env.client.call('POST', JSAPI, '');
    expect([empty.status, empty.json?.code]).toEqual([400, 'PARAM_ERROR']);
    const arr = await env.client.call('POST', JSAPI, []);
    expect([arr.status, arr.json?.code]).toEqual([400, 'PARAM_ERROR']);
    const huge = await env.client.call('POST', JSAPI, body({ attach: 'x'.repeat(70_000) }));
    expect([huge.status, huge.json?.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(huge.verified).toBe(true);
  });

  test('unknown /v3 path → 404 in WeChat shape', async () => {
    const r = await http(`${env.sandbox.url}/v3/pay/transactions/native`, { method: 'POST' });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text)).toMatchObject({ code: 'RESOURCE_NOT_EXISTS' });
    expect(env.client.verify(r.headers, r.text)).toBe(true);
  });
});

describe('JSAPI create: idempotency and prepay lifetime', () => {
  test('same out_trade_no + same params → same prepay_id; a new one after 2 h; different params → 403', async () => {
    const b = body({
      attach: 'cart=1',
      time_expire: '2099-01-01T00:00:00+08:00',
      scene_info: { payer_client_ip: '1.2.3.4' },
    });
    const first = await env.client.call('POST', JSAPI, b);
    expect(first.status).toBe(200);
    // Key order and the payer's IP do not matter; everything else does.
    const reordered = Object.fromEntries(
      Object.entries({ ...b, scene_info: { payer_client_ip: '5.6.7.8' } }).reverse(),
    );
    const again = await env.client.call('POST', JSAPI, reordered);
    expect(again.json?.prepay_id).toBe(first.json?.prepay_id);

    for (const change of [
      { amount: { total: 101, currency: 'CNY' } },
      { description: 'other' },
      { attach: 'cart=2' },
      { notify_url: 'https://merchant.example.com/other' },
      { time_expire: '2099-01-01T00:00:01+08:00' },
    ]) {
      const r = await env.client.call('POST', JSAPI, { ...b, ...change });
      expect([r.status, r.json?.code]).toEqual([403, 'OUT_TRADE_NO_USED']);
    }
    await postJson(`${env.sandbox.url}/sandbox/clock`, { advanceSeconds: 2 * 3600 });
    const later = await env.client.call('POST', JSAPI, b);
    expect(later.status).toBe(200);
    expect(later.json?.prepay_id).not.toBe(first.json?.prepay_id);
    const view = await getJson(`${env.sandbox.url}/sandbox/orders/${b.out_trade_no as string}`);
    expect((view.prepays as { valid: boolean }[]).map((p) => p.valid)).toEqual([false, true]);
  });
});

describe('query and close', () => {
  test('query: NOTPAY view; unknown → 404 ORDER_NOT_EXIST; other mchid → 403; bad no → 400', async () => {
    const b = body({ attach: 'a1' });
    await env.client.call('POST', JSAPI, b);
    const q = await env.client.query(b.out_trade_no as string);
    expect(q.status).toBe(200);
    expect(q.json).toMatchObject({
      appid: env.sandbox.credentials.appId,
      mchid: env.sandbox.credentials.mchId,
      out_trade_no: b.out_trade_no,
      attach: 'a1',
      trade_state: 'NOTPAY',
      trade_state_desc: '订单未支付',
      amount: { total: 100, currency: 'CNY' },
      payer: { openid: env.openid },
    });
    expect(q.json).not.toHaveProperty('transaction_id');
    const missing = await env.client.query('NOSUCHORDER');
    expect([missing.status, missing.json?.code]).toEqual([404, 'ORDER_NOT_EXIST']);
    const foreign = await env.client.call(
      'GET',
      `/v3/pay/transactions/out-trade-no/${b.out_trade_no as string}?mchid=1900000001`,
    );
    expect([foreign.status, foreign.json?.code]).toEqual([403, 'NO_AUTH']);
    const noMchid = await env.client.call(
      'GET',
      `/v3/pay/transactions/out-trade-no/${b.out_trade_no as string}`,
    );
    expect([noMchid.status, noMchid.json?.code]).toEqual([400, 'PARAM_ERROR']);
    const badNo = await env.client.query('x%20y');
    expect([badNo.status, badNo.json?.code]).toEqual([400, 'PARAM_ERROR']);
    const byId = await env.client.call(
      'GET',
      `/v3/pay/transactions/id/4200000000000000000000000000?mchid=${env.sandbox.credentials.mchId}`,
    );
    expect([byId.status, byId.json?.code]).toEqual([404, 'ORDER_NOT_EXIST']);
  });

  test('close: 204 for unknown orders and repeats; order becomes CLOSED and cannot be re-created', async () => {
    expect((await close('NEVERSEEN1')).status).toBe(204);
    const b = body();
    await env.client.call('POST', JSAPI, b);
    expect((await close(b.out_trade_no as string)).status).toBe(204);
    expect((await close(b.out_trade_no as string)).status).toBe(204);
    const q = await env.client.query(b.out_trade_no as string);
    expect(q.json?.trade_state).toBe('CLOSED');
    const again = await env.client.call('POST', JSAPI, b);
    expect([again.status, again.json?.code]).toEqual([400, 'ORDER_CLOSED']);
    const foreign = await close(b.out_trade_no as string, '1900000001');
    expect([foreign.status, foreign.json?.code]).toEqual([403, 'NO_AUTH']);
    const noBody = await env.client.call(
      'POST',
      `/v3/pay/transactions/out-trade-no/${b.out_trade_no as string}/close`,
      {},
    );
    expect([noBody.status, noBody.json?.code]).toEqual([400, 'PARAM_ERROR']);
  });

  test('time_expire: an expired unpaid order still reads NOTPAY (until closed) and reports expired', async () => {
    const clock = await getJson(`${env.sandbox.url}/sandbox/clock`);
    const expire = new Date((clock.epochMs as number) + 60_000)
      .toISOString()
      .replace(/\.\d+Z$/, 'Z');
    const b = body({ time_expire: expire });
    expect((await env.client.call('POST', JSAPI, b)).status).toBe(200);
    await postJson(`${env.sandbox.url}/sandbox/clock`, { advanceSeconds: 120 });
    expect((await env.client.query(b.out_trade_no as string)).json?.trade_state).toBe('NOTPAY');
    const view = await getJson(`${env.sandbox.url}/sandbox/orders/${b.out_trade_no as string}`);
    expect(view.expired).toBe(true);
  });
});
