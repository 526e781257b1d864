/**
 * Reliability, the jump-out channel: POST /api/orders/:orderNo/jump-out hands out extraData the
 * aggregator's rule verifies (re-implemented here from the documented rule), the amount always
 * the stored order's; POST /api/aggregator/notify applies a genuine notification exactly once
 * however often and concurrently it arrives, and refuses everything else with a non-`success`
 * answer and nothing changed; one order is never paid through both channels. On SQLite and
 * PostgreSQL.
 */
import { createHash, randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Stack } from '../../dev/stack';
import type { ApiError, CreatedOrder, JumpOutResponse } from '../../typings/api';
import {
  call,
  createOrder,
  pay,
  placedOrder,
  session,
  storedStatus,
  waitFor,
} from '../server/http';
import { databases, tableCounts, useStack } from './suite';
import { useTally } from './tally';

/** The aggregator's rule: non-empty fields but sign, sorted, k=v&…, "&key=", MD5, upper hex. */
function sign(fields: Record<string, string>, key: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('md5').update(`${text}&key=${key}`).digest('hex').toUpperCase();
}

jest.setTimeout(30_000);

const FORM = 'application/x-www-form-urlencoded';

const jumpOut = (stack: Stack, o: CreatedOrder | string, headers?: Record<string, string>) => {
  const orderNo = typeof o === 'string' ? o : o.orderNo;
  return call<JumpOutResponse & ApiError>(`${stack.serverUrl}/api/orders/${orderNo}/jump-out`, {
    method: 'POST',
    headers: headers ?? (typeof o === 'string' ? {} : { 'x-order-token': o.orderToken }),
  });
};

const notify = (stack: Stack, raw: string | Buffer, contentType = FORM) =>
  fetch(`${stack.serverUrl}/api/aggregator/notify`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof raw === 'string' ? raw : new Uint8Array(raw),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));

const orderRow = (stack: Stack, orderNo: string) =>
  stack.server.storage.db
    .selectFrom('orders')
    .selectAll()
    .where('order_no', '=', orderNo)
    .executeTakeFirstOrThrow();

const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

describe.each(databases('aggregator cases'))('jump-out channel on %s', (db) => {
  const env = useStack(db, { logger });
  const tally = useTally('notifications', db);
  const agg = () => env.stack.sandbox.credentials;

  /** The aggregator's notification for `o`, signed with `key` (default: the genuine one). */
  function form(
    o: { orderNo: string; total: number },
    extra: Record<string, string> = {},
    key = agg().aggregatorKey,
  ): Record<string, string> {
    const fields: Record<string, string> = {
      return_code: '1',
      total_fee: String(o.total),
      out_trade_no: o.orderNo,
      payjs_order_id: `2026${randomBytes(8).toString('hex')}`,
      transaction_id: `4200${Date.now()}${String(Math.random()).slice(2, 12)}`,
      time_end: '2026-01-02 03:04:05',
      openid: 'o-aggregator-payer',
      mchid: agg().aggregatorMchId,
      ...extra,
    };
    return { ...fields, sign: sign(fields, key) };
  }
  const encode = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  /** A new order bound to the jump-out channel. */
  async function jumpedOrder(): Promise<CreatedOrder> {
    const o = await createOrder(env.stack);
    expect((await jumpOut(env.stack, o)).status).toBe(200);
    return o;
  }

  it('jump-out: extraData verifies under the documented rule, the amount is the stored one', async () => {
    await tally.check('jump-out extraData', async () => {
      const o = await createOrder(env.stack, [{ sku: 'TEA-LJ-250', quantity: 2 }]);
      const r = await jumpOut(env.stack, o);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        appId: agg().aggregatorAppId,
        path: '',
        envVersion: 'release',
        extraData: {
          mchid: agg().aggregatorMchId,
          total_fee: String(o.total),
          out_trade_no: o.orderNo,
          body: expect.any(String),
          notify_url: `${env.stack.serverUrl}/api/aggregator/notify`,
          nonce: expect.stringMatching(/^[A-Za-z0-9]{16,32}$/),
          sign: expect.stringMatching(/^[0-9A-F]{32}$/),
        },
      });
      // 2 × 12 800 goods, free shipping, 1 000 off: the server's price, not anything the client said.
      expect(o.total).toBe(24600);
      expect(r.body.extraData.sign).toBe(sign(r.body.extraData, agg().aggregatorKey));
      expect((await orderRow(env.stack, o.orderNo)).channel).toBe('aggregator');
      // Again (the user came back and taps once more): the same order, a fresh nonce.
      const again = await jumpOut(env.stack, o);
      expect(again.status).toBe(200);
      expect(again.body.extraData.nonce).not.toBe(r.body.extraData.nonce);
      expect(JSON.stringify([r.body, again.body])).not.toContain(agg().aggregatorKey);
    });
  });

  it('through the sandbox: cashier paid → notification → paid once; cancel changes nothing', async () => {
    await tally.check('jump-out end to end', async () => {
      const o = await createOrder(env.stack);
      const { body } = await jumpOut(env.stack, o);
      const cashier = (outcome: string) =>
        call<{ result: string; backExtraData: Record<string, string> }>(
          `${env.stack.sandboxUrl}/sandbox/aggregator/cashier`,
          { body: { appId: body.appId, extraData: body.extraData, outcome } },
        );
      const cancelled = await cashier('cancel');
      expect(cancelled.body.result).toBe('cancelled');
      expect(await storedStatus(env.stack, o.orderNo)).toBe('pending');
      const paid = await cashier('success');
      expect(paid.body.backExtraData).toEqual({ result: 'paid', out_trade_no: o.orderNo });
      await waitFor(async () => (await storedStatus(env.stack, o.orderNo)) === 'paid');
      const rec = await call<{
        payment: { transactionId: string };
        notifications: { state: string }[];
      }>(`${env.stack.sandboxUrl}/sandbox/aggregator/orders/${o.orderNo}`);
      await waitFor(async () => {
        const r = await call<{ notifications: { state: string }[] }>(
          `${env.stack.sandboxUrl}/sandbox/aggregator/orders/${o.orderNo}`,
        );
        return r.body.notifications[0]?.state === 'delivered';
      });
      const row = await orderRow(env.stack, o.orderNo);
      expect(row.transaction_id).toBe(rec.body.payment.transactionId);
      const read = await call<{ status: string }>(
        `${env.stack.serverUrl}/api/orders/${o.orderNo}`,
        {
          headers: { 'x-order-token': o.orderToken },
        },
      );
      expect(read.body.status).toBe('paid');
    });
  });

  it('a genuine notification pays once when 12 copies arrive in parallel, and on replays', async () => {
    await tally.check('aggregator duplicates in parallel', async () => {
      const o = await jumpedOrder();
      const raw = encode(form(o));
      const answers = await Promise.all(Array.from({ length: 12 }, () => notify(env.stack, raw)));
      expect(answers).toEqual(Array(12).fill({ status: 200, text: 'success' }));
      const paid = await orderRow(env.stack, o.orderNo);
      expect(paid).toMatchObject({
        status: 'paid',
        paid_at: Date.parse('2026-01-02T03:04:05+08:00'),
      });
      expect(await notify(env.stack, raw)).toEqual({ status: 200, text: 'success' });
      // The same payment arriving later under another aggregator id changes nothing either.
      expect((await notify(env.stack, encode(form(o)))).text).toBe('success');
      expect(await orderRow(env.stack, o.orderNo)).toEqual(paid);
      const rows = await env.stack.server.storage.db
        .selectFrom('notifications')
        .selectAll()
        .where('order_no', '=', o.orderNo)
        .execute();
      expect(rows.map((r) => r.id).filter((id) => id.startsWith('aggregator:'))).toHaveLength(2);
    });
  });

  type Bad = (o: CreatedOrder) => { raw: string | Buffer; type?: string };
  const refusals: Array<[string, Bad, number, boolean]> = [
    ['a forged sign', (o) => ({ raw: encode({ ...form(o), sign: 'F'.repeat(32) }) }), 401, true],
    ['a sign under another key', (o) => ({ raw: encode(form(o, {}, 'x'.repeat(32))) }), 401, true],
    [
      'no sign',
      (o) => {
        const { sign: _s, ...rest } = form(o);
        return { raw: encode(rest) };
      },
      401,
      true,
    ],
    [
      'a field changed under the sign',
      (o) => ({ raw: encode({ ...form(o), total_fee: '1' }) }),
      401,
      true,
    ],
    ['another mchid', (o) => ({ raw: encode(form(o, { mchid: '9999999999' })) }), 400, true],
    ['a wrong amount', (o) => ({ raw: encode(form({ ...o, total: o.total + 1 })) }), 400, true],
    ['return_code 0', (o) => ({ raw: encode(form(o, { return_code: '0' })) }), 400, true],
    [
      'an unknown order',
      (o) => ({ raw: encode(form({ ...o, orderNo: 'WP20991231NOSUCHORDER1' })) }),
      404,
      true,
    ],
    ['an order not bound to the channel', (o) => ({ raw: encode(form(o)) }), 400, false],
    ['a malformed amount', (o) => ({ raw: encode(form(o, { total_fee: '1e3' })) }), 400, true],
    [
      'a repeated field',
      (o) => ({ raw: `${encode(form(o))}&out_trade_no=WP20991231NOSUCHORDER1` }),
      400,
      true,
    ],
    ['bytes that are not UTF-8', () => ({ raw: Buffer.from([0x61, 0x3d, 0xff, 0xfe]) }), 400, true],
    ['an empty body (so unsigned)', () => ({ raw: '' }), 401, true],
    [
      'an oversized body',
      (o) => ({ raw: `${encode(form(o))}&pad=${'a'.repeat(70 * 1024)}` }),
      413,
      true,
    ],
    [
      'JSON instead of a form',
      (o) => ({ raw: JSON.stringify(form(o)), type: 'application/json' }),
      415,
      true,
    ],
  ];

  it.each(refusals)(
    'refuses %s: not success, nothing changes',
    async (name, make, status, bind) => {
      await tally.check(`aggregator: ${name}`, async () => {
        const o = bind === false ? await createOrder(env.stack) : await jumpedOrder();
        const before = {
          counts: await tableCounts(env.stack),
          row: await orderRow(env.stack, o.orderNo),
        };
        const bad = make(o);
        const r = await notify(env.stack, bad.raw, bad.type);
        expect(r.status).toBe(status);
        expect(r.text).not.toBe('success');
        expect(await tableCounts(env.stack)).toEqual(before.counts);
        expect(await orderRow(env.stack, o.orderNo)).toEqual(before.row);
      });
    },
  );

  it('a notification for an order paid through WeChat is refused, nothing changes', async () => {
    await tally.check('aggregator: wechat-bound order', async () => {
      const { o } = await placedOrder(env.stack, `agg-${db}-wechat`);
      const before = {
        counts: await tableCounts(env.stack),
        row: await orderRow(env.stack, o.orderNo),
      };
      expect(before.row.channel).toBe('wechat');
      const r = await notify(env.stack, encode(form(o)));
      expect(r.status).toBe(400);
      expect(await tableCounts(env.stack)).toEqual(before.counts);
      expect(await orderRow(env.stack, o.orderNo)).toEqual(before.row);
    });
  });

  it('/pay after a jump-out is refused with CHANNEL_CONFLICT, the order keeps no payer', async () => {
    await tally.check('pay after jump-out', async () => {
      const o = await jumpedOrder();
      const s = await session(env.stack, `agg-${db}-pay-after`);
      const before = await orderRow(env.stack, o.orderNo);
      const r = await pay(env.stack, o, s.token);
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ code: 'CHANNEL_CONFLICT' });
      expect(await orderRow(env.stack, o.orderNo)).toEqual(before);
    });
  });

  it('a jump-out after /pay is refused with CHANNEL_CONFLICT', async () => {
    await tally.check('jump-out after pay', async () => {
      const { o } = await placedOrder(env.stack, `agg-${db}-jump-after`);
      const before = await orderRow(env.stack, o.orderNo);
      const r = await jumpOut(env.stack, o);
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('CHANNEL_CONFLICT');
      expect(await orderRow(env.stack, o.orderNo)).toEqual(before);
    });
  });

  it('a jump-out racing a /pay: exactly one channel wins', async () => {
    await tally.check('jump-out racing pay', async () => {
      const o = await createOrder(env.stack);
      const s = await session(env.stack, `agg-${db}-race`);
      const [j, p] = await Promise.all([jumpOut(env.stack, o), pay(env.stack, o, s.token)]);
      expect([j.status, p.status].sort()).toEqual([200, 409]);
      const row = await orderRow(env.stack, o.orderNo);
      expect(row.channel).toBe(j.status === 200 ? 'aggregator' : 'wechat');
    });
  });

  it('jump-out access and state: 401, 403, 404, and 409 for a paid order', async () => {
    await tally.check('jump-out refusals', async () => {
      const o = await createOrder(env.stack);
      expect((await jumpOut(env.stack, o.orderNo)).status).toBe(401);
      const wrong = await jumpOut(env.stack, o, { 'x-order-token': 'A'.repeat(43) });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('FORBIDDEN');
      expect((await orderRow(env.stack, o.orderNo)).channel).toBeNull();
      const unknown = await jumpOut(env.stack, 'WP20991231NOSUCHORDER1', {
        'x-order-token': o.orderToken,
      });
      expect(unknown.status).toBe(404);
      const j = await jumpedOrder();
      expect((await notify(env.stack, encode(form(j)))).text).toBe('success');
      const paid = await jumpOut(env.stack, j);
      expect(paid.status).toBe(409);
      expect(paid.body.code).toBe('ORDER_NOT_PAYABLE');
      // Its money is at the aggregator: the WeChat refund endpoint refuses it, recording nothing.
      const before = await tableCounts(env.stack);
      const refund = await call<ApiError>(`${env.stack.serverUrl}/api/orders/${j.orderNo}/refund`, {
        body: {},
        token: env.stack.adminToken,
      });
      expect(refund.status).toBe(409);
      expect(refund.body.code).toBe('CHANNEL_CONFLICT');
      expect(await tableCounts(env.stack)).toEqual(before);
    });
  });

  it('the aggregator key is in no log line', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => l.includes(agg().aggregatorKey))).toEqual([]);
    expect(logLines.some((l) => l.includes('aggregator notification refused'))).toBe(true);
  });
});

describe('jump-out channel turned off', () => {
  const env = useStack('sqlite', { aggregator: false });

  it('jump-out is 403 CHANNEL_UNAVAILABLE and binds nothing; notify is not served', async () => {
    const o = await createOrder(env.stack);
    const r = await jumpOut(env.stack, o);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('CHANNEL_UNAVAILABLE');
    expect((await orderRow(env.stack, o.orderNo)).channel).toBeNull();
    expect((await notify(env.stack, 'a=b')).status).toBe(404);
  });
});
