/**
 * Reliability under the other two schemes, on SQLite and PostgreSQL. Partner mode: an order pays
 * the sub-merchant its host was given, never another; an unknown or disabled sub-merchant is a
 * 403 before anything is stored; a notification for another sub-merchant or provider changes
 * nothing. API v2: hostile or forged XML notifications are refused with WeChat's XML FAIL and
 * change nothing; a genuine one is applied once however often it arrives.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Stack } from '../../dev/stack';
import type { Order } from '../../typings/api';
import {
  call,
  cashier,
  clearFaults,
  createOrder,
  faults,
  paidOrder,
  forgeNotification,
  placedOrder,
  storedStatus,
  waitFor,
} from '../server/http';
import { databases, tableCounts, useStack } from './suite';

const orderRow = (stack: Stack, orderNo: string) =>
  stack.server.storage.db
    .selectFrom('orders')
    .selectAll()
    .where('order_no', '=', orderNo)
    .executeTakeFirstOrThrow();

/** X-WECHAT-HOSTSIGN as WeChat puts it on a plugin request from `host` (plugin development guide). */
function hostSigned(stack: Stack, host: string): Record<string, string> {
  const noncestr = 'n0nce42';
  const timestamp = String(Math.floor(Date.now() / 1000));
  const token = stack.config.pluginToken ?? '';
  const signature = createHash('sha1')
    .update([host, noncestr, timestamp, token].sort().join(''))
    .digest('hex');
  return {
    referer: `https://servicewechat.com/${host}/0/page-frame.html`,
    'x-wechat-hostsign': JSON.stringify({ noncestr, timestamp, signature }),
  };
}

const ITEMS = [{ sku: 'MUG-ENAMEL', quantity: 1 }];

describe.each(databases('partner-mode cases'))('partner mode on %s', (db) => {
  const env = useStack(db, { scheme: 'v3-partner', serverConfig: { jobsEnabled: false } });

  const subs = () => env.stack.sandbox.credentials.subMchIds;

  it('the shop’s own order pays the default sub-merchant, a host’s order its own', async () => {
    const own = await createOrder(env.stack);
    expect((await orderRow(env.stack, own.orderNo)).sub_mchid).toBe(subs()[0]);
    const r = await call<Order>(`${env.stack.serverUrl}/api/orders`, {
      body: { items: ITEMS },
      headers: hostSigned(env.stack, env.stack.sandbox.consumerApp.appId),
    });
    expect(r.status).toBe(201);
    expect((await orderRow(env.stack, r.body.orderNo)).sub_mchid).toBe(subs()[1]);
  });

  it('pays through the partner endpoints: WeChat’s record names the provider and sub-merchant', async () => {
    const { s, o, p } = await placedOrder(env.stack, 'partner-payer');
    expect(p.status).toBe(200);
    expect(p.body.signType).toBe('RSA');
    expect(await cashier(env.stack, s.openid, p.body, 'success')).toBe('requestPayment:ok');
    await waitFor(async () => (await storedStatus(env.stack, o.orderNo)) === 'paid');
    const wechat = await call<Record<string, unknown>>(
      `${env.stack.sandboxUrl}/sandbox/orders/${o.orderNo}`,
      { method: 'GET' },
    );
    expect(wechat.body).toMatchObject({
      scheme: 'v3-partner',
      mchid: env.stack.config.mchId,
      partner: { subMchid: subs()[0] },
    });
  });

  it('a refund whose notification is lost is learnt by querying under the order’s sub-merchant', async () => {
    const { o } = await paidOrder(env.stack, `partner-refund-${Math.random()}`);
    await faults(env.stack, [{ endpoint: 'notify', kind: 'drop' }]);
    try {
      const r = await call<{ outRefundNo: string }>(
        `${env.stack.serverUrl}/api/orders/${o.orderNo}/refund`,
        { body: { amount: 1 }, token: env.stack.adminToken },
      );
      expect(r.status).toBe(200);
      const status = async () =>
        (
          await env.stack.server.storage.db
            .selectFrom('refunds')
            .select('status')
            .where('out_refund_no', '=', r.body.outRefundNo)
            .executeTakeFirstOrThrow()
        ).status;
      await waitFor(async () => {
        await env.stack.advance(5);
        await env.stack.server.jobs.runOnce();
        return (await status()) === 'success';
      });
      expect(await env.stack.server.storage.refunds.subMchIdOf(r.body.outRefundNo)).toBe(subs()[0]);
    } finally {
      await clearFaults(env.stack);
    }
  });

  const partnerTxn = (o: Order, extra: Record<string, unknown> = {}) => ({
    sp_appid: env.stack.config.appId,
    sp_mchid: env.stack.config.mchId,
    sub_mchid: subs()[0],
    out_trade_no: o.orderNo,
    transaction_id: `42000000002026${String(Math.floor(Math.random() * 1e14)).padStart(14, '0')}`,
    trade_state: 'SUCCESS',
    success_time: new Date().toISOString(),
    amount: { total: o.total, payer_total: o.total, currency: 'CNY' },
    payer: { sp_openid: 'o-payer' },
    ...extra,
  });

  it.each<[string, (o: Order) => Record<string, unknown>]>([
    ['another sub-merchant', (o) => partnerTxn(o, { sub_mchid: subs()[1] })],
    ['another provider', (o) => partnerTxn(o, { sp_mchid: '1999999999' })],
    ['another AppID', (o) => partnerTxn(o, { sp_appid: 'wx0000000000000000' })],
    [
      'a direct-merchant resource',
      (o) => ({ appid: env.stack.config.appId, mchid: env.stack.config.mchId, ...partnerTxn(o) }),
    ],
  ])('a notification for %s is refused and changes nothing', async (_what, resource) => {
    const { o } = await placedOrder(env.stack, `partner-${Math.random()}`);
    const body = resource(o);
    if (_what === 'a direct-merchant resource') {
      delete body.sp_mchid;
      delete body.sub_mchid;
    }
    const before = await tableCounts(env.stack);
    const n = forgeNotification(env.stack, { resource: body });
    const r = await call<{ code: string }>(`${env.stack.serverUrl}/api/pay/notify`, {
      method: 'POST',
      raw: n.raw,
      headers: n.headers,
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('FAIL');
    expect(await tableCounts(env.stack)).toEqual(before);
    expect(await storedStatus(env.stack, o.orderNo)).toBe('pending');
  });
});

describe.each(databases('unavailable sub-merchant cases'))(
  'unavailable sub-merchants on %s',
  (db) => {
    const TAKER = 'wx1111111111111111';
    const env = useStack(db, {
      scheme: 'v3-partner',
      serverConfig: {
        // The default is switched off; one host keeps its own sub-merchant.
        subMerchants: [
          { subMchId: '1900000109', hosts: ['*'], enabled: false },
          { subMchId: '1900000110', hosts: [TAKER], enabled: true },
        ],
      },
    });

    it.each<[string, () => Record<string, string>]>([
      ['the shop’s own order (the default is disabled)', () => ({})],
      ['an order from a host nobody was given', () => hostSigned(env.stack, 'wx2222222222222222')],
    ])('%s: 403 SUB_MERCHANT_UNAVAILABLE and nothing stored', async (_what, headers) => {
      const before = await tableCounts(env.stack);
      const r = await call<{ code: string; message: string }>(`${env.stack.serverUrl}/api/orders`, {
        body: { items: ITEMS },
        headers: headers(),
      });
      expect(r.status).toBe(403);
      expect(r.body).toEqual({
        code: 'SUB_MERCHANT_UNAVAILABLE',
        message: 'sub-merchant 1900000109 is disabled',
      });
      expect(await tableCounts(env.stack)).toEqual(before);
    });

    it('the host that has its own sub-merchant still sells', async () => {
      const r = await call<Order>(`${env.stack.serverUrl}/api/orders`, {
        body: { items: ITEMS },
        headers: hostSigned(env.stack, TAKER),
      });
      expect(r.status).toBe(201);
      expect((await orderRow(env.stack, r.body.orderNo)).sub_mchid).toBe('1900000110');
    });
  },
);

/** A v2 payment notification signed as WeChat signs it (the rule written out here, not imported). */
function v2Notice(
  stack: Stack,
  o: Order,
  over: Record<string, string> = {},
  key = stack.config.v2?.key ?? '',
): string {
  const fields: Record<string, string> = {
    appid: stack.config.appId,
    mch_id: stack.config.mchId,
    nonce_str: Math.random().toString(36).slice(2),
    result_code: 'SUCCESS',
    return_code: 'SUCCESS',
    openid: 'o-payer',
    trade_type: 'JSAPI',
    bank_type: 'OTHERS',
    total_fee: String(o.total),
    cash_fee: String(o.total),
    fee_type: 'CNY',
    transaction_id: `4200000000${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    out_trade_no: o.orderNo,
    time_end: '20261204101530',
    ...over,
  };
  const text = `${Object.keys(fields)
    .filter((k) => fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&')}&key=${key}`;
  const sign = (
    stack.config.v2?.signType === 'HMAC-SHA256'
      ? createHmac('sha256', key).update(text).digest('hex')
      : createHash('md5').update(text).digest('hex')
  ).toUpperCase();
  return `<xml>${Object.entries({ ...fields, sign })
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join('')}</xml>`;
}

const postXml = (stack: Stack, raw: string, type = 'text/xml') =>
  call<string>(`${stack.serverUrl}/api/pay/notify`, {
    method: 'POST',
    raw,
    headers: { 'content-type': type },
  });

describe.each(databases('API v2 notification cases'))('API v2 notifications on %s', (db) => {
  const env = useStack(db, { scheme: 'v2' });

  it('pays with a v2 paySign and takes WeChat’s XML notification', async () => {
    const { s, o, p } = await placedOrder(env.stack, 'v2-payer');
    expect(p.body.signType).toBe('MD5');
    expect(p.body.paySign).toMatch(/^[0-9A-F]{32}$/);
    expect(await cashier(env.stack, s.openid, p.body, 'success')).toBe('requestPayment:ok');
    await waitFor(async () => (await storedStatus(env.stack, o.orderNo)) === 'paid');
  });

  it('a genuine notification is applied once however often it arrives', async () => {
    const { o } = await placedOrder(env.stack, `v2-${Math.random()}`);
    const raw = v2Notice(env.stack, o);
    const answers = await Promise.all([1, 2, 3].map(() => postXml(env.stack, raw)));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.text).toContain('<return_code><![CDATA[SUCCESS]]></return_code>');
    }
    expect(await storedStatus(env.stack, o.orderNo)).toBe('paid');
    const heard = await env.stack.server.storage.db
      .selectFrom('notifications')
      .selectAll()
      .where('order_no', '=', o.orderNo)
      .execute();
    expect(heard).toHaveLength(1);
  });

  // Every row names its content type: jest passes `done` as a missing last argument.
  const hostile: Array<[string, (o: Order) => string, number, string]> = [
    [
      'a forged signature (another key)',
      (o) => v2Notice(env.stack, o, {}, 'x'.repeat(32)),
      401,
      'text/xml',
    ],
    [
      'a changed amount',
      (o) => v2Notice(env.stack, o, { total_fee: '1', cash_fee: '1' }),
      400,
      'text/xml',
    ],
    ['another merchant', (o) => v2Notice(env.stack, o, { mch_id: '1999999999' }), 400, 'text/xml'],
    [
      'an unknown order',
      (o) => v2Notice(env.stack, { ...o, orderNo: 'WP20261204UNKNOWN0000' }),
      404,
      'text/xml',
    ],
    [
      'a DTD with entities',
      () =>
        '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><x>&b;</x></xml>',
      400,
      'text/xml',
    ],
    ['malformed XML', () => '<xml><return_code>SUCCESS</xml>', 400, 'text/xml'],
    [
      'nested elements',
      () => '<xml><return_code><a>SUCCESS</a></return_code></xml>',
      400,
      'text/xml',
    ],
    ['an oversized body', () => `<xml><a>${'x'.repeat(70 * 1024)}</a></xml>`, 413, 'text/xml'],
    ['JSON instead of XML', () => '{"return_code":"SUCCESS"}', 415, 'application/json'],
  ];

  it.each(hostile)(
    '%s is refused with XML FAIL and changes nothing',
    async (_w, body, status, type) => {
      const { o } = await placedOrder(env.stack, `v2-${Math.random()}`);
      const before = await tableCounts(env.stack);
      const r = await postXml(env.stack, body(o), type);
      expect(r.status).toBe(status);
      expect(r.text).toMatch(/^<xml><return_code><!\[CDATA\[FAIL\]\]><\/return_code><return_msg>/);
      expect(await tableCounts(env.stack)).toEqual(before);
      expect(await storedStatus(env.stack, o.orderNo)).toBe('pending');
    },
  );
});
