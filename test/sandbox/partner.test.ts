import { randomBytes } from 'node:crypto';
import {
  decryptNotification,
  getJson,
  mintOpenid,
  postJson,
  useSandbox,
  type PayResult,
} from './support';

describe('v3 partner (service-provider) mode', () => {
  const env = useSandbox({ user: 'partner-payer', receiver: true });
  const c = () => env.sandbox.credentials;
  const sp = (method: 'GET' | 'POST', path: string, body?: unknown): Promise<PayResult> =>
    env.client.call(method, path, body, { mchid: c().spMchId });
  const partnerBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    sp_appid: c().appId,
    sp_mchid: c().spMchId,
    sub_mchid: c().subMchIds[0],
    description: 'Partner item',
    out_trade_no: `P${randomBytes(8).toString('hex')}`,
    notify_url: env.receiver.url,
    amount: { total: 300, currency: 'CNY' },
    payer: { sp_openid: env.openid },
    ...overrides,
  });
  const create = (body: Record<string, unknown>) =>
    sp('POST', '/v3/pay/partner/transactions/jsapi', body);
  const queryPath = (no: string, sub = c().subMchIds[0] ?? '') =>
    `/v3/pay/partner/transactions/out-trade-no/${no}?sp_mchid=${c().spMchId}&sub_mchid=${sub}`;
  const pay = async (prepayId: string, appid = c().appId, openid = env.openid) =>
    (
      await postJson(`${env.sandbox.url}/sandbox/cashier/pay`, {
        appid,
        openid,
        outcome: 'success',
        requestPaymentArgs: env.client.requestPaymentArgs(prepayId, appid),
      })
    ).json.errMsg;

  test('create, pay with sp_openid, TRANSACTION.SUCCESS carries the partner view, query, refund', async () => {
    const body = partnerBody({ attach: 'shop-1' });
    const created = await create(body);
    expect(created.status).toBe(200);
    expect(created.verified).toBe(true);
    const prepayId = created.json?.prepay_id as string;
    // Same parameters again: the same prepay.
    expect((await create(body)).json?.prepay_id).toBe(prepayId);
    const changed = await create({ ...body, amount: { total: 301, currency: 'CNY' } });
    expect(changed.status).toBe(403);
    expect(changed.json?.code).toBe('OUT_TRADE_NO_USED');

    const delivered = env.receiver.received.length;
    expect(await pay(prepayId)).toBe('requestPayment:ok');
    await env.receiver.waitFor(delivered + 1);
    const { event, resource } = decryptNotification(
      c().apiV3Key,
      env.receiver.received[delivered]?.body ?? '',
    );
    expect(event.event_type).toBe('TRANSACTION.SUCCESS');
    expect(resource).toMatchObject({
      sp_appid: c().appId,
      sp_mchid: c().spMchId,
      sub_mchid: c().subMchIds[0],
      out_trade_no: body.out_trade_no,
      trade_state: 'SUCCESS',
      trade_type: 'JSAPI',
      attach: 'shop-1',
      payer: { sp_openid: env.openid },
      amount: { total: 300, payer_total: 300, currency: 'CNY', payer_currency: 'CNY' },
      promotion_detail: [],
    });
    expect(resource).not.toHaveProperty('mchid');
    expect(resource).not.toHaveProperty('appid');

    const q = await sp('GET', queryPath(body.out_trade_no as string));
    expect(q.status).toBe(200);
    expect(q.verified).toBe(true);
    expect(q.json).toEqual(resource);
    const byId = await sp(
      'GET',
      `/v3/pay/partner/transactions/id/${resource.transaction_id as string}?sp_mchid=${c().spMchId}&sub_mchid=${c().subMchIds[0]}`,
    );
    expect(byId.json).toEqual(resource);
    // Another (bound) sub-merchant does not see it; neither does the direct merchant.
    const other = await sp('GET', queryPath(body.out_trade_no as string, c().subMchIds[1]));
    expect(other.status).toBe(404);
    expect(other.json?.code).toBe('ORDER_NOT_EXIST');
    const direct = await env.client.query(body.out_trade_no as string);
    expect(direct.status).toBe(404);
    const view = await getJson(`${env.sandbox.url}/sandbox/orders/${body.out_trade_no as string}`);
    expect(view).toMatchObject({ scheme: 'v3-partner', partner: { subMchid: c().subMchIds[0] } });

    // Refunds name the sub-merchant.
    const refund = (extra: Record<string, unknown>) =>
      sp('POST', '/v3/refund/domestic/refunds', {
        out_trade_no: body.out_trade_no,
        out_refund_no: `PR${randomBytes(6).toString('hex')}`,
        notify_url: env.receiver.url,
        amount: { refund: 100, total: 300, currency: 'CNY' },
        ...extra,
      });
    const missing = await refund({});
    expect(missing.status).toBe(400);
    expect(missing.json?.code).toBe('PARAM_ERROR');
    expect((await refund({ sub_mchid: c().subMchIds[1] })).status).toBe(404);
    const asDirect = await env.client.call('POST', '/v3/refund/domestic/refunds', {
      sub_mchid: c().subMchIds[0],
      out_trade_no: body.out_trade_no,
      out_refund_no: 'PR-direct',
      amount: { refund: 100, total: 300, currency: 'CNY' },
    });
    expect(asDirect.status).toBe(404);
    const before = env.receiver.received.length;
    const ok = await refund({ sub_mchid: c().subMchIds[0], out_refund_no: 'PR-ok-1' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      out_refund_no: 'PR-ok-1',
      amount: { refund: 100, total: 300 },
    });
    await postJson(`${env.sandbox.url}/sandbox/clock`, { advanceSeconds: 5 });
    const rq = await sp('GET', `/v3/refund/domestic/refunds/PR-ok-1?sub_mchid=${c().subMchIds[0]}`);
    expect(rq.json).toMatchObject({ status: 'SUCCESS' });
    expect(
      (await sp('GET', `/v3/refund/domestic/refunds/PR-ok-1?sub_mchid=${c().subMchIds[2]}`)).status,
    ).toBe(404);
    expect((await env.client.call('GET', '/v3/refund/domestic/refunds/PR-ok-1')).status).toBe(404);
    await env.receiver.waitFor(before + 1);
    const refundNote = decryptNotification(c().apiV3Key, env.receiver.received[before]?.body ?? '');
    expect(refundNote.event.event_type).toBe('REFUND.SUCCESS');
    expect(refundNote.resource).toMatchObject({
      sp_mchid: c().spMchId,
      sub_mchid: c().subMchIds[0],
      out_trade_no: body.out_trade_no,
      transaction_id: resource.transaction_id,
      out_refund_no: 'PR-ok-1',
      refund_id: ok.json?.refund_id,
      refund_status: 'SUCCESS',
      user_received_account: '支付用户零钱',
      amount: { total: 300, refund: 100, payer_total: 300, payer_refund: 100 },
    });
    expect(refundNote.resource).not.toHaveProperty('mchid');
  });

  test('refusals: unbound sub-merchant, foreign sp_mchid, direct caller, wrong apps and openids', async () => {
    const expectError = async (r: PayResult, status: number, code: string, message?: string) => {
      expect(r.status).toBe(status);
      expect(r.json?.code).toBe(code);
      if (message !== undefined) expect(r.json?.message).toBe(message);
      expect(r.verified).toBe(true);
    };
    await expectError(
      await create(partnerBody({ sub_mchid: c().unboundSubMchId })),
      403,
      'NO_AUTH',
      '特约商户与服务商不存在绑定关系',
    );
    await expectError(await create(partnerBody({ sub_mchid: '1999999999' })), 403, 'NO_AUTH');
    await expectError(await create(partnerBody({ sp_mchid: c().mchId })), 403, 'NO_AUTH');
    // The direct merchant's own signature does not open the partner API.
    await expectError(
      await env.client.call('POST', '/v3/pay/partner/transactions/jsapi', partnerBody()),
      403,
      'NO_AUTH',
    );
    await expectError(
      await create(partnerBody({ sp_appid: env.sandbox.otherApp.appId })),
      400,
      'APPID_MCHID_NOT_MATCH',
    );
    const foreign = await mintOpenid(env.sandbox, 'partner-payer', env.sandbox.otherApp.appId);
    await expectError(
      await create(partnerBody({ payer: { sp_openid: foreign } })),
      400,
      'PARAM_ERROR',
      'sp_appid和sp_openid不匹配',
    );
    await expectError(
      await create(partnerBody({ payer: { sub_openid: foreign } })),
      400,
      'PARAM_ERROR',
    );
    await expectError(await create(partnerBody({ payer: {} })), 400, 'PARAM_ERROR');
    await expectError(
      await create(
        partnerBody({ sub_appid: env.sandbox.consumerApp.appId, payer: { sub_openid: foreign } }),
      ),
      400,
      'PARAM_ERROR',
    );
    // A provider cannot take money for itself through the direct endpoints.
    const directBody = {
      appid: c().appId,
      mchid: c().spMchId,
      description: 'x',
      out_trade_no: `D${randomBytes(6).toString('hex')}`,
      notify_url: env.receiver.url,
      amount: { total: 1 },
      payer: { openid: env.openid },
    };
    await expectError(await sp('POST', '/v3/pay/transactions/jsapi', directBody), 403, 'NO_AUTH');
    await expectError(
      await sp('POST', '/v3/pay/transactions/jsapi', { ...directBody, mchid: c().mchId }),
      403,
      'NO_AUTH',
    );
    await expectError(
      await sp('GET', `/v3/pay/transactions/out-trade-no/ABCDEFG?mchid=${c().spMchId}`),
      403,
      'NO_AUTH',
    );
    await expectError(await sp('GET', queryPath('ABCDEFG', c().unboundSubMchId)), 403, 'NO_AUTH');
  });

  test('sub_openid under sub_appid: the cashier checks paySign with sub_appid; close', async () => {
    const consumer = env.sandbox.consumerApp.appId;
    const subOpenid = await mintOpenid(env.sandbox, 'partner-payer', consumer);
    const body = partnerBody({
      sub_appid: consumer,
      sub_mchid: c().subMchIds[2],
      payer: { sub_openid: subOpenid },
    });
    const created = await create(body);
    expect(created.status).toBe(200);
    const prepayId = created.json?.prepay_id as string;
    // Signed for sp_appid, but the payer is under sub_appid.
    expect(
      (
        await postJson(`${env.sandbox.url}/sandbox/cashier/pay`, {
          appid: consumer,
          openid: subOpenid,
          outcome: 'success',
          requestPaymentArgs: env.client.requestPaymentArgs(prepayId, c().appId),
        })
      ).json.errMsg,
    ).toBe('requestPayment:fail 支付验证签名失败');
    expect(await pay(prepayId, consumer, subOpenid)).toBe('requestPayment:ok');
    const q = await sp('GET', queryPath(body.out_trade_no as string, c().subMchIds[2]));
    expect(q.json).toMatchObject({
      sub_appid: consumer,
      sub_mchid: c().subMchIds[2],
      payer: { sp_openid: env.openid, sub_openid: subOpenid },
    });

    const open = partnerBody();
    await create(open);
    const close = await sp(
      'POST',
      `/v3/pay/partner/transactions/out-trade-no/${open.out_trade_no as string}/close`,
      {
        sp_mchid: c().spMchId,
        sub_mchid: c().subMchIds[0],
      },
    );
    expect(close.status).toBe(204);
    expect(close.verified).toBe(true);
    expect((await sp('GET', queryPath(open.out_trade_no as string))).json?.trade_state).toBe(
      'CLOSED',
    );
    const paidClose = await sp(
      'POST',
      `/v3/pay/partner/transactions/out-trade-no/${body.out_trade_no as string}/close`,
      { sp_mchid: c().spMchId, sub_mchid: c().subMchIds[2] },
    );
    expect(paidClose.status).toBe(400);
    expect(paidClose.json?.code).toBe('ORDERPAID');
  });
});
