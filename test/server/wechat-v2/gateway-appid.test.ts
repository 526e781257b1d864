/**
 * API v2 gateway: orderquery, closeorder, refund and refundquery name the order with the AppID
 * it was placed under (the ref's appId; null = the owner's), and the client takes an answer only
 * when it names that same AppID (another of ours is not enough).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { V2Client } from '../../../server/wechat/pay/v2/client';
import type { V2Answer } from '../../../server/wechat/pay/v2/client';
import { V2Gateway } from '../../../server/wechat/pay/v2/gateway';
import { signV2 } from '../../../server/wechat/pay/v2/sign';
import { buildV2Xml, parseV2Xml } from '../../../server/wechat/pay/v2/xml';

const OWNER = 'wx1111111111111111';
const CASHIER = 'wx4444444444444444';
const MCH = '1900000109';
const KEY = '192006250b4c09247ec02edce69f6a2d';

describe('V2Gateway: the order’s own AppID in every call about it', () => {
  const calls: Array<{ path: string; fields: Record<string, string | number> }> = [];
  const answers: Record<string, V2Answer> = {
    '/pay/orderquery': { trade_state: 'NOTPAY', out_trade_no: 'WP1' },
    '/pay/closeorder': {},
    '/secapi/pay/refund': { refund_id: '50000000000000000000000000001' },
    '/pay/refundquery': { out_refund_no_0: 'RF1', refund_status_0: 'SUCCESS' },
  };
  const client = {
    call: (path: string, fields: Record<string, string | number>) => {
      calls.push({ path, fields });
      return Promise.resolve({ appid: String(fields.appid), mch_id: MCH, ...answers[path] });
    },
    destroy: () => undefined,
  } as unknown as V2Client;
  const gateway = new V2Gateway({
    client,
    appId: OWNER,
    extraAppIds: [CASHIER],
    mchId: MCH,
    key: KEY,
    signType: 'MD5',
    clock: { now: () => Date.now() },
    notifyUrl: () => 'https://shop.example/api/pay/notify',
  });
  beforeEach(() => {
    calls.length = 0;
  });

  it.each([
    ['the cashier AppID', CASHIER, CASHIER],
    ['the owner AppID', OWNER, OWNER],
    ['no AppID (rows from before the cashier): the owner’s', null, OWNER],
  ])('an order placed under %s', async (_name, appId, sent) => {
    const ref = { orderNo: 'WP1', subMchId: null, appId, placedAt: null };
    expect((await gateway.query(ref)).appid).toBe(sent);
    expect(await gateway.close(ref)).toBe('closed');
    await gateway.refund({
      orderNo: 'WP1',
      outRefundNo: 'RF1',
      amount: 1,
      total: 2,
      subMchId: null,
      appId,
    });
    expect((await gateway.queryRefund({ outRefundNo: 'RF1', subMchId: null, appId })).status).toBe(
      'SUCCESS',
    );
    expect(calls.map((c) => [c.path, c.fields.appid])).toEqual([
      ['/pay/orderquery', sent],
      ['/pay/closeorder', sent],
      ['/secapi/pay/refund', sent],
      ['/pay/refundquery', sent],
    ]);
  });
});

describe('V2Client: an answer must name the AppID the request named', () => {
  let server: Server;
  let answerAppId: (requested: string) => string;
  let client: V2Client;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const f = parseV2Xml(Buffer.concat(chunks).toString('utf8'));
        const a: Record<string, string> = {
          return_code: 'SUCCESS',
          return_msg: 'OK',
          appid: answerAppId(f.appid ?? ''),
          mch_id: MCH,
          nonce_str: 'n0nce',
          result_code: 'SUCCESS',
          trade_state: 'NOTPAY',
          out_trade_no: f.out_trade_no ?? '',
        };
        a.sign = signV2(a, KEY, 'MD5');
        res.setHeader('Content-Type', 'text/xml');
        res.end(buildV2Xml(a));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new V2Client({
      baseUrl: base,
      secapiBase: base,
      appId: OWNER,
      extraAppIds: [CASHIER],
      mchId: MCH,
      key: KEY,
      signType: 'MD5',
      logger: pino({ level: 'silent' }),
      timeoutMs: 2000,
      retries: 0,
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('takes an answer under the requested AppID, the owner’s by default', async () => {
    answerAppId = (requested) => requested;
    const own = await client.call('/pay/orderquery', { out_trade_no: 'WP1' });
    expect(own.appid).toBe(OWNER);
    const cashier = await client.call('/pay/orderquery', { appid: CASHIER, out_trade_no: 'WP1' });
    expect(cashier.appid).toBe(CASHIER);
  });

  it.each([
    ['the owner’s, asked under the cashier’s', CASHIER, OWNER],
    ['the cashier’s, asked under the owner’s', OWNER, CASHIER],
  ])('refuses an answer naming %s (unverified, 502)', async (_name, asked, answered) => {
    answerAppId = () => answered;
    await expect(
      client.call('/pay/orderquery', { appid: asked, out_trade_no: 'WP1' }),
    ).rejects.toMatchObject({ status: 502, verified: false });
  });
});
