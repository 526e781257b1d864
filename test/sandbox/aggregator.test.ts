/**
 * The sandbox's aggregator: its cashier mini program (POST /sandbox/aggregator/cashier), its
 * records, and its signed form notifications to the merchant, retried until `success`. The
 * signature is re-implemented here from the documented rule and checked on a vector computed
 * by hand (md5sum over the string below).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { aggregatorSign } from '../../sandbox/aggregator/sign';
import { getJson, http, postJson, putJson, sleep, useSandbox } from './support';

jest.setTimeout(20_000);

/** The rule as documented: non-empty fields but sign, sorted, k=v&…, "&key=", MD5, upper hex. */
function sign(fields: Record<string, string>, key: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('md5').update(`${text}&key=${key}`).digest('hex').toUpperCase();
}

interface Delivery {
  body: URLSearchParams;
  contentType: string;
}

/** A merchant notify endpoint whose answer to the n-th delivery the test scripts. */
class Merchant {
  readonly received: Delivery[] = [];
  url = '';
  private server: Server | undefined;
  constructor(public answer: (n: number) => { status: number; body: string }) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          body: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
          contentType: req.headers['content-type'] ?? '',
        });
        const a = this.answer(this.received.length);
        res.statusCode = a.status;
        res.end(a.body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/aggregator/notify`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

const env = useSandbox();
const creds = () => env.sandbox.credentials;
let merchant: Merchant;

beforeAll(async () => {
  merchant = await new Merchant(() => ({ status: 200, body: 'success' })).start();
});
afterAll(async () => {
  await merchant.close();
});
afterEach(async () => {
  await http(`${env.sandbox.url}/sandbox/faults`, { method: 'DELETE' });
  merchant.answer = () => ({ status: 200, body: 'success' });
});

/** Signed extraData as the merchant server would build it. */
function extraData(
  overrides: Record<string, string> = {},
  key = creds().aggregatorKey,
): Record<string, string> & { out_trade_no: string; sign: string } {
  const fields = {
    mchid: creds().aggregatorMchId,
    total_fee: '12800',
    out_trade_no: `WP${randomBytes(6).toString('hex')}`,
    body: 'Longjing tea',
    notify_url: merchant.url,
    nonce: randomBytes(12).toString('hex'),
    ...overrides,
  };
  return { ...fields, sign: sign(fields, key) };
}

const cashier = (body: Record<string, unknown>) =>
  postJson(`${env.sandbox.url}/sandbox/aggregator/cashier`, {
    appId: creds().aggregatorAppId,
    outcome: 'success',
    ...body,
  });

const record = (outTradeNo: string) =>
  getJson(`${env.sandbox.url}/sandbox/aggregator/orders/${outTradeNo}`);

test('credentials: the aggregator account and its cashier app', () => {
  expect(creds().aggregatorMchId).toMatch(/^\d+$/);
  expect(creds().aggregatorKey).toMatch(/^[A-Za-z0-9]{32}$/);
  expect(creds().aggregatorAppId).toMatch(/^wx[0-9a-f]{16}$/);
  expect(creds().aggregatorAppId).not.toBe(creds().appId);
});

test('the signature on a vector computed by hand', () => {
  const fields = {
    out_trade_no: 'WP2026010112345',
    total_fee: '12800',
    mchid: '1234567890',
    body: 'Longjing tea',
    notify_url: 'https://shop.example.com/api/aggregator/notify',
    nonce: 'abcdefghijklmnop',
    attach: '',
    sign: 'ignored',
  };
  const key = '0123456789abcdefghijABCDEFGHIJ01';
  // md5("body=Longjing tea&mchid=1234567890&nonce=abcdefghijklmnop&notify_url=https://shop.
  // example.com/api/aggregator/notify&out_trade_no=WP2026010112345&total_fee=12800&key=0123…01")
  const expected = '375BE80EB3DAFDC34A38FC98007414DF';
  expect(sign(fields, key)).toBe(expected);
  expect(aggregatorSign(fields, key)).toBe(expected);
});

describe('refusals change nothing', () => {
  it.each([
    ['a bad sign', () => ({ extraData: { ...extraData(), sign: 'A'.repeat(32) } }), /sign/],
    ['a sign under another key', () => ({ extraData: extraData({}, 'x'.repeat(32)) }), /sign/],
    ['another mchid', () => ({ extraData: extraData({ mchid: '9999999999' }) }), /mchid/],
    ['another appId', () => ({ appId: 'wx0000000000000000', extraData: extraData() }), /appId/],
    ['a zero total_fee', () => ({ extraData: extraData({ total_fee: '0' }) }), /total_fee/],
    ['a fractional total_fee', () => ({ extraData: extraData({ total_fee: '1.5' }) }), /total_fee/],
    ['a short nonce', () => ({ extraData: extraData({ nonce: 'abc' }) }), /nonce/],
    [
      'an http notify_url off loopback',
      () => ({ extraData: extraData({ notify_url: 'http://shop.example.com/n' }) }),
      /https/,
    ],
    [
      'a number where a string belongs',
      () => ({ extraData: { ...extraData(), total_fee: 12800 } }),
      /string/,
    ],
    ['no sign at all', () => ({ extraData: { mchid: creds().aggregatorMchId } }), /lacks/],
  ])('%s → refused', async (_name, make, reason) => {
    const body = make();
    const r = await cashier(body);
    expect(r.status).toBe(200);
    expect(r.json.result).toBe('refused');
    expect(String(r.json.reason)).toMatch(reason);
    const no = (body.extraData as Record<string, unknown>).out_trade_no;
    expect(r.json.backExtraData).toEqual(
      typeof no === 'string' ? { result: 'refused', out_trade_no: no } : { result: 'refused' },
    );
    if (typeof no === 'string') {
      const rec = await record(no);
      expect(rec.payment).toBeNull();
      expect(rec.notifications).toEqual([]);
    }
  });

  it('a malformed call is a 400 PARAM_ERROR', async () => {
    const r = await postJson(`${env.sandbox.url}/sandbox/aggregator/cashier`, {
      appId: creds().aggregatorAppId,
      outcome: 'maybe',
      extraData: {},
    });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('PARAM_ERROR');
  });
});

test('cancel and fail change nothing but the record of the call', async () => {
  const data = extraData();
  for (const outcome of ['cancel', 'fail'] as const) {
    const r = await cashier({ extraData: data, outcome });
    expect(r.json.result).toBe(outcome === 'cancel' ? 'cancelled' : 'failed');
    expect(r.json.backExtraData).toEqual({
      result: r.json.result,
      out_trade_no: data.out_trade_no,
    });
  }
  const rec = await record(data.out_trade_no);
  expect(rec.payment).toBeNull();
  expect(rec.notifications).toEqual([]);
  expect((rec.calls as { result: string }[]).map((c) => c.result)).toEqual(['cancelled', 'failed']);
});

test('paid: a signed form reaches notify_url, retried until HTTP 200 "success"', async () => {
  const seen = merchant.received.length;
  // Not acknowledgements: a 500, a 200 with another body, a 204.
  merchant.answer = (n) =>
    n === seen + 1
      ? { status: 500, body: 'busy' }
      : n === seen + 2
        ? { status: 200, body: 'ok' }
        : n === seen + 3
          ? { status: 204, body: '' }
          : { status: 200, body: 'success' };
  const data = extraData({ attach: 'cart-7' });
  const openid = 'oAGG-test-payer';
  const r = await cashier({ extraData: data, openid });
  expect(r.json).toEqual({
    result: 'paid',
    backExtraData: { result: 'paid', out_trade_no: data.out_trade_no },
  });
  await until(() => merchant.received.length >= seen + 4);
  const deliveries = merchant.received.slice(seen);
  const first = deliveries[0] as Delivery;
  expect(first.contentType).toBe('application/x-www-form-urlencoded');
  const fields = Object.fromEntries(first.body);
  expect(fields).toEqual({
    return_code: '1',
    total_fee: '12800',
    out_trade_no: data.out_trade_no,
    payjs_order_id: expect.stringMatching(/^\d{20,32}$/),
    transaction_id: expect.stringMatching(/^4200\d{24}$/),
    time_end: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
    openid,
    mchid: creds().aggregatorMchId,
    attach: 'cart-7',
    sign: expect.any(String),
  });
  expect(fields.sign).toBe(sign(fields, creds().aggregatorKey));
  // Every retry is the same notification.
  for (const d of deliveries) expect(Object.fromEntries(d.body)).toEqual(fields);

  const settled = async () => {
    const end = Date.now() + 5000;
    for (;;) {
      const rec = await record(data.out_trade_no);
      const notes = rec.notifications as { state: string }[];
      if (notes[0]?.state === 'delivered' || Date.now() > end) return rec;
      await sleep(10);
    }
  };
  const rec = await settled();
  expect(rec.payment).toMatchObject({
    payjsOrderId: fields.payjs_order_id,
    transactionId: fields.transaction_id,
    totalFee: 12800,
  });
  const [note] = rec.notifications as {
    state: string;
    attempts: { acknowledged: boolean; status: number }[];
  }[];
  expect(note?.state).toBe('delivered');
  expect(note?.attempts.map((a) => [a.status, a.acknowledged])).toEqual([
    [500, false],
    [200, false],
    [204, false],
    [200, true],
  ]);
});

test('paying again is idempotent; another amount for a paid order is refused', async () => {
  const data = extraData();
  const seen = merchant.received.length;
  expect((await cashier({ extraData: data })).json.result).toBe('paid');
  await until(() => merchant.received.length >= seen + 1);
  const again = await cashier({ extraData: { ...data } });
  expect(again.json.result).toBe('paid');
  expect(again.json.reason).toMatch(/already/);
  const other = extraData({ out_trade_no: data.out_trade_no, total_fee: '1' });
  const refused = await cashier({ extraData: other });
  expect(refused.json.result).toBe('refused');
  expect(refused.json.reason).toMatch(/paid already/);
  await sleep(100);
  const rec = await record(data.out_trade_no);
  expect(rec.notifications).toHaveLength(1);
  expect(merchant.received.length).toBe(seen + 1);
});

test('a drop fault sends nothing; a bad_signature fault forges only the first attempt', async () => {
  const faults = (list: unknown[]) => putJson(`${env.sandbox.url}/sandbox/faults`, list);
  expect((await faults([{ endpoint: 'aggregator-notify', kind: 'drop', times: 1 }])).status).toBe(
    200,
  );
  const dropped = extraData();
  const seen = merchant.received.length;
  expect((await cashier({ extraData: dropped })).json.result).toBe('paid');
  await sleep(100);
  expect(merchant.received.length).toBe(seen);
  const rec = await record(dropped.out_trade_no);
  expect(rec.notifications).toMatchObject([{ state: 'dropped', fault: 'drop', attempts: [] }]);

  await faults([{ endpoint: 'aggregator-notify', kind: 'bad_signature', times: 1 }]);
  // The merchant refuses what does not verify, as the server does.
  merchant.answer = (n) => {
    const fields = Object.fromEntries((merchant.received[n - 1] as Delivery).body);
    return fields.sign === sign(fields, creds().aggregatorKey)
      ? { status: 200, body: 'success' }
      : { status: 401, body: 'fail: bad sign' };
  };
  const forged = extraData();
  expect((await cashier({ extraData: forged })).json.result).toBe('paid');
  await until(() => merchant.received.length >= seen + 2);
  const [bad, good] = merchant.received.slice(seen).map((d) => Object.fromEntries(d.body));
  expect(bad?.sign).not.toBe(sign(bad ?? {}, creds().aggregatorKey));
  expect(good?.sign).toBe(sign(good ?? {}, creds().aggregatorKey));
  const forgedRec = await record(forged.out_trade_no);
  expect(forgedRec.notifications).toMatchObject([{ state: 'delivered', fault: 'bad_signature' }]);
});

test('unknown records are 404; the fault endpoint is in the control API', async () => {
  const r = await http(`${env.sandbox.url}/sandbox/aggregator/orders/NOPE`);
  expect(r.status).toBe(404);
  const bad = await putJson(`${env.sandbox.url}/sandbox/faults`, [
    { endpoint: 'aggregator-notify', kind: 'timeout' },
  ]);
  expect(bad.status).toBe(400);
  const list = await getJson(`${env.sandbox.url}/sandbox/aggregator/orders`);
  expect(Array.isArray(list.calls)).toBe(true);
});
