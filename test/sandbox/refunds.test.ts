import {
  createAndPay,
  decryptNotification,
  jsapiBody,
  MerchantClient,
  mintOpenid,
  postJson,
  startSandbox,
  useSandbox,
} from './support';

const env = useSandbox({
  user: 'refund-user',
  receiver: true,
  // Refunds settle after 5 sandbox seconds: 5 ms at this scale.
  sandbox: { timeScale: 0.001 },
});
const REFUNDS = '/v3/refund/domestic/refunds';

const refund = (
  outTradeNo: string,
  outRefundNo: string,
  amount: number,
  extra: Record<string, unknown> = {},
) =>
  env.client.call('POST', REFUNDS, {
    out_trade_no: outTradeNo,
    out_refund_no: outRefundNo,
    reason: 'test',
    amount: { refund: amount, total: 100, currency: 'CNY' },
    ...extra,
  });
const queryRefund = (no: string) => env.client.call('GET', `${REFUNDS}/${no}`);

describe('refunds', () => {
  test('create → PROCESSING, then SUCCESS with REFUND.SUCCESS notification; trade becomes REFUND', async () => {
    const { outTradeNo } = await createAndPay(env.client, env.openid, env.receiver.url);
    await env.receiver.waitFor(1);
    const r = await refund(outTradeNo, `R${outTradeNo}`, 30, { notify_url: env.receiver.url });
    expect(r.status).toBe(200);
    expect(r.verified).toBe(true);
    expect(r.json).toMatchObject({
      out_refund_no: `R${outTradeNo}`,
      out_trade_no: outTradeNo,
      status: 'PROCESSING',
      channel: 'ORIGINAL',
      amount: { refund: 30, total: 100, payer_refund: 30, currency: 'CNY' },
    });
    expect(r.json?.refund_id).toMatch(/^50\d{27}$/);
    expect((await env.client.query(outTradeNo)).json?.trade_state).toBe('REFUND');
    await env.receiver.waitFor(2);
    const q = await queryRefund(`R${outTradeNo}`);
    expect(q.json?.status).toBe('SUCCESS');
    expect(q.json?.success_time).toMatch(/\+08:00$/);
    const got = env.receiver.received[1];
    expect(env.client.verify(got?.headers ?? {}, got?.body ?? '')).toBe(true);
    const { event, resource } = decryptNotification(
      env.sandbox.credentials.apiV3Key,
      got?.body ?? '',
    );
    expect(event).toMatchObject({
      event_type: 'REFUND.SUCCESS',
      resource: { associated_data: 'refund', original_type: 'refund' },
    });
    expect(resource).toMatchObject({
      mchid: env.sandbox.credentials.mchId,
      out_trade_no: outTradeNo,
      out_refund_no: `R${outTradeNo}`,
      refund_status: 'SUCCESS',
      amount: { refund: 30, total: 100 },
    });
  });

  test('idempotent by out_refund_no; partial refunds add up; over-refund and mismatches refused', async () => {
    const { outTradeNo } = await createAndPay(env.client, env.openid, env.receiver.url);
    const a = await refund(outTradeNo, `A${outTradeNo}`, 60);
    const again = await refund(outTradeNo, `A${outTradeNo}`, 60);
    expect(again.json?.refund_id).toBe(a.json?.refund_id);
    const changed = await refund(outTradeNo, `A${outTradeNo}`, 61);
    expect([changed.status, changed.json?.code]).toEqual([400, 'INVALID_REQUEST']);
    const over = await refund(outTradeNo, `B${outTradeNo}`, 41);
    expect([over.status, over.json?.code]).toEqual([400, 'INVALID_REQUEST']);
    expect((await refund(outTradeNo, `B${outTradeNo}`, 40)).status).toBe(200);
    const wrongTotal = await env.client.call('POST', REFUNDS, {
      out_trade_no: outTradeNo,
      out_refund_no: `C${outTradeNo}`,
      amount: { refund: 1, total: 99, currency: 'CNY' },
    });
    expect([wrongTotal.status, wrongTotal.json?.code]).toEqual([400, 'PARAM_ERROR']);
  });

  test('by transaction_id; unknown or unpaid orders; missing ids; schema errors', async () => {
    const { outTradeNo } = await createAndPay(env.client, env.openid, env.receiver.url);
    const tx = (await env.client.query(outTradeNo)).json?.transaction_id as string;
    const byTx = await env.client.call('POST', REFUNDS, {
      transaction_id: tx,
      out_refund_no: `T${outTradeNo}`,
      amount: { refund: 1, total: 100, currency: 'CNY' },
    });
    expect(byTx.status).toBe(200);
    expect(byTx.json?.out_trade_no).toBe(outTradeNo);

    const unknown = await refund('NOSUCHORDER', 'RNOSUCH', 1);
    expect([unknown.status, unknown.json?.code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);
    const unpaid = jsapiBody(env.sandbox, env.openid, env.receiver.url);
    await env.client.call('POST', '/v3/pay/transactions/jsapi', unpaid);
    const r = await refund(unpaid.out_trade_no as string, 'RUNPAID1', 1);
    expect([r.status, r.json?.code]).toEqual([400, 'INVALID_REQUEST']);
    const noId = await env.client.call('POST', REFUNDS, {
      out_refund_no: 'RX1',
      amount: { refund: 1, total: 100, currency: 'CNY' },
    });
    expect([noId.status, noId.json?.code]).toEqual([400, 'PARAM_ERROR']);
    for (const amount of [
      { refund: 0, total: 100, currency: 'CNY' },
      { refund: 1, total: 100 },
      { refund: '1', total: 100, currency: 'CNY' },
    ]) {
      const bad = await env.client.call('POST', REFUNDS, {
        out_trade_no: outTradeNo,
        out_refund_no: 'RX2',
        amount,
      });
      expect([bad.status, bad.json?.code]).toEqual([400, 'PARAM_ERROR']);
    }
    const badUrl = await refund(outTradeNo, 'RX3', 1, { notify_url: 'ftp://x/y' });
    expect([badUrl.status, badUrl.json?.code]).toEqual([400, 'PARAM_ERROR']);
    const missing = await queryRefund('NOSUCHREFUND');
    expect([missing.status, missing.json?.code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);
    expect(missing.verified).toBe(true);
  });

  test('a paid order cannot be closed (ORDERPAID) nor re-created', async () => {
    const { outTradeNo } = await createAndPay(env.client, env.openid, env.receiver.url);
    const closed = await env.client.call(
      'POST',
      `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`,
      { mchid: env.sandbox.credentials.mchId },
    );
    expect([closed.status, closed.json?.code]).toEqual([400, 'ORDERPAID']);
    expect((await env.client.query(outTradeNo)).json?.trade_state).toBe('SUCCESS');
  });

  test('virtual clock settles PROCESSING refunds too', async () => {
    const slow = await startSandbox(env.credentialsDir, { timeScale: 1 });
    try {
      const c = new MerchantClient(slow);
      const who = await mintOpenid(slow, 'slow');
      const { outTradeNo } = await createAndPay(c, who, env.receiver.url);
      await c.call('POST', REFUNDS, {
        out_trade_no: outTradeNo,
        out_refund_no: `S${outTradeNo}`,
        amount: { refund: 1, total: 100, currency: 'CNY' },
      });
      expect((await c.call('GET', `${REFUNDS}/S${outTradeNo}`)).json?.status).toBe('PROCESSING');
      await postJson(`${slow.url}/sandbox/clock`, { advanceSeconds: 5 });
      expect((await c.call('GET', `${REFUNDS}/S${outTradeNo}`)).json?.status).toBe('SUCCESS');
    } finally {
      await slow.close();
    }
  });
});
