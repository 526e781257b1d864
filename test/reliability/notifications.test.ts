/**
 * Reliability, notifications: everything a hostile or broken sender can post to
 * /api/pay/notify. Each refusal answers WeChat's `{ code: 'FAIL', message }` with the status
 * WeChat retries on, and changes nothing; each genuine notification is applied exactly once,
 * however often and however concurrently it arrives. On SQLite and PostgreSQL.
 */
import { createPrivateKey, createSign, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from '../../dev/stack';
import type { Order } from '../../typings/api';
import type { ForgeOptions } from '../server/http';
import { call, forgeNotification, placedOrder, paidOrder, storedStatus } from '../server/http';
import { databases, tableCounts, useStack } from './suite';
import { useTally } from './tally';

type Forged = { headers: Record<string, string>; raw: string };

const post = (stack: Stack, n: Forged) =>
  call<{ code: string; message: string } | undefined>(`${stack.serverUrl}/api/pay/notify`, {
    method: 'POST',
    raw: n.raw,
    headers: n.headers,
  });

const orderRow = (stack: Stack, orderNo: string) =>
  stack.server.storage.db
    .selectFrom('orders')
    .selectAll()
    .where('order_no', '=', orderNo)
    .executeTakeFirstOrThrow();

describe.each(databases('notification cases'))('notifications on %s', (db) => {
  const env = useStack(db);
  const tally = useTally('notifications', db);

  const txn = (o: Order, extra: Record<string, unknown> = {}) => ({
    appid: env.stack.config.appId,
    mchid: env.stack.config.mchId,
    out_trade_no: o.orderNo,
    transaction_id: `42000000002026${String(Math.floor(Math.random() * 1e14)).padStart(14, '0')}`,
    trade_state: 'SUCCESS',
    success_time: new Date().toISOString(),
    amount: { total: o.total, payer_total: o.total, currency: 'CNY' },
    payer: { openid: 'o-payer' },
    ...extra,
  });
  const forge = (opts: ForgeOptions) => forgeNotification(env.stack, opts);
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  const refusals: Array<[string, (o: Order) => Forged, number]> = [
    ['a signature by another key', (o) => forge({ resource: txn(o), key: otherKey }), 401],
    ['a garbage signature', (o) => forge({ resource: txn(o), signature: 'AAAA' }), 401],
    [
      'a SIGNTEST probe signature',
      (o) => forge({ resource: txn(o), signature: 'WECHATPAY/SIGNTEST/abcdef' }),
      401,
    ],
    [
      'a stale timestamp (10 minutes old)',
      (o) => forge({ resource: txn(o), timestamp: Math.floor(Date.now() / 1000) - 600 }),
      401,
    ],
    [
      'a timestamp from the future',
      (o) => forge({ resource: txn(o), timestamp: Math.floor(Date.now() / 1000) + 600 }),
      401,
    ],
    [
      'an unknown serial',
      (o) => forge({ resource: txn(o), serial: 'PUB_KEY_ID_0000000000000000000000000000' }),
      401,
    ],
    [
      'an altered body under the original signature',
      (o) => {
        const n = forge({ resource: txn(o) });
        return { headers: n.headers, raw: n.raw.replace('"summary"', ' "summary"') };
      },
      401,
    ],
    [
      'missing signature headers',
      (o) => {
        const n = forge({ resource: txn(o) });
        const { 'wechatpay-signature': _s, ...headers } = n.headers;
        return { headers, raw: n.raw };
      },
      401,
    ],
    ['a wrong APIv3 key', (o) => forge({ resource: txn(o), apiV3Key: 'k'.repeat(32) }), 400],
    [
      'a tampered ciphertext (re-signed)',
      (o) => {
        const n = forge({ resource: txn(o) });
        const body = JSON.parse(n.raw) as { resource: { ciphertext: string } };
        const ct = Buffer.from(body.resource.ciphertext, 'base64');
        ct[3] = (ct[3] ?? 0) ^ 0xff;
        body.resource.ciphertext = ct.toString('base64');
        return resign(JSON.stringify(body));
      },
      400,
    ],
    [
      'a mismatched amount',
      (o) => forge({ resource: txn(o, { amount: { total: o.total + 1, currency: 'CNY' } }) }),
      400,
    ],
    [
      'an amount of zero',
      (o) => forge({ resource: txn(o, { amount: { total: 0, currency: 'CNY' } }) }),
      400,
    ],
    ['no amount at all', (o) => forge({ resource: txn(o, { amount: undefined }) }), 400],
    ['another appid', (o) => forge({ resource: txn(o, { appid: 'wx00000000000000ff' }) }), 400],
    ['another mchid', (o) => forge({ resource: txn(o, { mchid: '1900000199' }) }), 400],
    [
      'an unknown order',
      (o) => forge({ resource: txn(o, { out_trade_no: 'WP20991231NOSUCHORDER1' }) }),
      404,
    ],
    [
      'a refund notice before any payment (refund-before-success)',
      (o) =>
        forge({
          eventType: 'REFUND.SUCCESS',
          resource: {
            mchid: env.stack.config.mchId,
            out_trade_no: o.orderNo,
            out_refund_no: `RF${o.orderNo}`,
            refund_status: 'SUCCESS',
            amount: {
              total: o.total,
              refund: o.total,
              payer_total: o.total,
              payer_refund: o.total,
            },
          },
        }),
      404,
    ],
  ];

  /** Re-signs a raw body with the sandbox's platform key (a valid signature over bad content). */
  function resign(raw: string): Forged {
    const n = forge({ resource: {} });
    const ts = n.headers['wechatpay-timestamp'] as string;
    const nonce = n.headers['wechatpay-nonce'] as string;
    // The forge helper signs with this same key by default.
    const key = createPrivateKey(
      readFileSync(join(env.stack.credentialsDir, 'sandbox', 'pub_key_private.pem')),
    );
    const signature = createSign('RSA-SHA256')
      .update(`${ts}\n${nonce}\n${raw}\n`)
      .sign(key, 'base64');
    return { raw, headers: { ...n.headers, 'wechatpay-signature': signature } };
  }

  it.each(refusals)('refuses %s: FAIL, nothing changes', async (name, make, status) => {
    await tally.check(name, async () => {
      const { o } = await placedOrder(env.stack, `nt-${db}-${status}-${Math.random()}`);
      const before = {
        counts: await tableCounts(env.stack),
        row: await orderRow(env.stack, o.orderNo),
      };
      const r = await post(env.stack, make(o));
      expect(r.status).toBe(status);
      expect(r.body).toEqual({ code: 'FAIL', message: expect.any(String) });
      expect(await tableCounts(env.stack)).toEqual(before.counts);
      expect(await orderRow(env.stack, o.orderNo)).toEqual(before.row);
    });
  });

  it('applies one genuine notification once when 12 copies arrive in parallel', async () => {
    await tally.check('duplicates in parallel', async () => {
      const { o } = await placedOrder(env.stack, `nt-${db}-parallel`);
      const n = forge({ resource: txn(o), id: `evt-parallel-${db}` });
      const answers = await Promise.all(Array.from({ length: 12 }, () => post(env.stack, n)));
      expect(answers.map((a) => a.status)).toEqual(Array(12).fill(204));
      expect(await storedStatus(env.stack, o.orderNo)).toBe('paid');
      const rows = await env.stack.server.storage.db
        .selectFrom('notifications')
        .selectAll()
        .where('order_no', '=', o.orderNo)
        .execute();
      expect(rows).toHaveLength(1);
    });
  });

  it('a replay of an applied notification, and a second id for it, change nothing', async () => {
    await tally.check('replays', async () => {
      const { o } = await placedOrder(env.stack, `nt-${db}-replay`);
      const resource = txn(o);
      const n = forge({ resource, id: `evt-replay-${db}` });
      expect((await post(env.stack, n)).status).toBe(204);
      const paid = await orderRow(env.stack, o.orderNo);
      expect(paid.status).toBe('paid');
      expect((await post(env.stack, n)).status).toBe(204);
      // WeChat may also resend the same transaction under a new notification id.
      expect((await post(env.stack, forge({ resource, id: `evt-replay-${db}-2` }))).status).toBe(
        204,
      );
      expect(await orderRow(env.stack, o.orderNo)).toEqual(paid);
    });
  });

  it('a success for an order already refunded, or a mismatch after payment, changes nothing', async () => {
    await tally.check('late or contradicting notices after payment', async () => {
      const { o } = await paidOrder(env.stack, `nt-${db}-late`);
      const paid = await orderRow(env.stack, o.orderNo);
      const other = forge({
        resource: txn(o, { amount: { total: o.total - 1, currency: 'CNY' } }),
      });
      expect((await post(env.stack, other)).status).toBe(400);
      const again = forge({ resource: txn(o, { transaction_id: paid.transaction_id }) });
      expect((await post(env.stack, again)).status).toBe(204);
      expect(await orderRow(env.stack, o.orderNo)).toEqual(paid);
    });
  });
});
