/**
 * Sandbox, API v2: an order is named by the appid it was placed under (unifiedorder's). Placed
 * under the cashier mini program's AppID, an orderquery, closeorder, refund or refundquery under
 * the owner's AppID (bound to the same merchant) is refused and changes nothing, and the other
 * way round; under the order's own appid each works as before.
 */
import { postJson, getJson, useSandbox } from './support';
import {
  nonce,
  postTls,
  postV2,
  sign,
  signedXml,
  unifiedOrderFields,
  XmlReceiver,
  type Fields,
} from './v2-support';

describe('API v2: calls about an order carry the appid it was placed under', () => {
  const env = useSandbox({ user: 'v2-appid-owner' });
  let receiver: XmlReceiver;
  let cashierOpenid: string;
  beforeAll(async () => {
    receiver = await new XmlReceiver().start();
    cashierOpenid = (
      await postJson(`${env.sandbox.url}/sandbox/login-code`, {
        user: 'v2-appid-cashier',
        appid: env.sandbox.credentials.cashierApp.appId,
      })
    ).json.openid as string;
  });
  afterAll(async () => {
    await receiver.close();
  });

  const owner = () => env.sandbox.credentials.appId;
  const cashierApp = () => env.sandbox.credentials.cashierApp.appId;
  const mchId = () => env.sandbox.credentials.mchId;
  const merchantCert = () => ({
    cert: env.sandbox.credentials.merchantCertPem,
    key: env.sandbox.credentials.merchantPrivateKeyPem,
  });
  const state = async (outTradeNo: string) =>
    (await getJson(`${env.sandbox.url}/sandbox/orders/${outTradeNo}`)).state;

  /** A unified order placed under the cashier AppID for its own payer. */
  async function cashierOrder(): Promise<Fields> {
    const f = unifiedOrderFields(env.sandbox, cashierOpenid, receiver.url, { appid: cashierApp() });
    const r = await postV2(env.sandbox, '/pay/unifiedorder', f);
    expect(r.fields).toMatchObject({ result_code: 'SUCCESS', appid: cashierApp() });
    return { ...f, prepay_id: r.fields.prepay_id ?? '' };
  }

  /** Pays a prepay placed under the cashier AppID, from the cashier mini program. */
  async function payInCashier(prepayId: string): Promise<void> {
    const args: Fields = {
      appId: cashierApp(),
      timeStamp: String(Math.floor(Date.now() / 1000)),
      nonceStr: nonce(),
      package: `prepay_id=${prepayId}`,
      signType: 'MD5',
    };
    const paySign = sign(args, env.sandbox.credentials.apiV2Key);
    const { appId: _appId, ...rest } = args;
    void _appId;
    const r = await postJson(`${env.sandbox.url}/sandbox/cashier/pay`, {
      appid: cashierApp(),
      openid: cashierOpenid,
      outcome: 'success',
      requestPaymentArgs: { ...rest, paySign },
    });
    expect(r.json.errMsg).toBe('requestPayment:ok');
  }

  const query = (appid: string, outTradeNo: string) =>
    postV2(env.sandbox, '/pay/orderquery', { appid, mch_id: mchId(), out_trade_no: outTradeNo });
  const refund = (appid: string, outTradeNo: string, outRefundNo: string) =>
    postTls(
      env.sandbox,
      '/secapi/pay/refund',
      signedXml(env.sandbox, {
        appid,
        mch_id: mchId(),
        out_trade_no: outTradeNo,
        out_refund_no: outRefundNo,
        total_fee: '100',
        refund_fee: '30',
      }),
      merchantCert(),
    );
  const refundQuery = (appid: string, f: Fields) =>
    postV2(env.sandbox, '/pay/refundquery', { appid, mch_id: mchId(), ...f });

  it('orderquery and closeorder under the other AppID: ORDERNOTEXIST, the order untouched', async () => {
    const o = await cashierOrder();
    const wrong = await query(owner(), o.out_trade_no ?? '');
    expect(wrong.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'ORDERNOTEXIST',
      appid: owner(),
    });
    expect(wrong.fields.trade_state).toBeUndefined();
    // Past the 5-minute rule, so only the appid decides.
    await postJson(`${env.sandbox.url}/sandbox/clock`, { advanceSeconds: 301 });
    const close = await postV2(env.sandbox, '/pay/closeorder', {
      appid: owner(),
      mch_id: mchId(),
      out_trade_no: o.out_trade_no ?? '',
    });
    expect(close.fields).toMatchObject({ result_code: 'FAIL', err_code: 'ORDERNOTEXIST' });
    expect(await state(o.out_trade_no ?? '')).toBe('NOTPAY');

    const right = await query(cashierApp(), o.out_trade_no ?? '');
    expect(right.fields).toMatchObject({
      result_code: 'SUCCESS',
      appid: cashierApp(),
      trade_state: 'NOTPAY',
      out_trade_no: o.out_trade_no,
    });
    const closed = await postV2(env.sandbox, '/pay/closeorder', {
      appid: cashierApp(),
      mch_id: mchId(),
      out_trade_no: o.out_trade_no ?? '',
    });
    expect(closed.fields).toMatchObject({ result_code: 'SUCCESS' });
    expect(await state(o.out_trade_no ?? '')).toBe('CLOSED');
  });

  it('refund and refundquery under the other AppID are refused; nothing is refunded', async () => {
    const o = await cashierOrder();
    await payInCashier(o.prepay_id ?? '');
    const outTradeNo = o.out_trade_no ?? '';
    const wrong = await refund(owner(), outTradeNo, 'R-appid-1');
    expect(wrong.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'INVALID_REQUEST',
    });
    expect(wrong.fields.refund_id).toBeUndefined();
    const none = await refundQuery(cashierApp(), { out_refund_no: 'R-appid-1' });
    expect(none.fields).toMatchObject({ result_code: 'FAIL', err_code: 'REFUNDNOTEXIST' });
    expect(await state(outTradeNo)).toBe('SUCCESS');

    const right = await refund(cashierApp(), outTradeNo, 'R-appid-1');
    expect(right.fields).toMatchObject({
      result_code: 'SUCCESS',
      appid: cashierApp(),
      out_refund_no: 'R-appid-1',
    });
    // The same refund replayed under the owner AppID is refused too, not answered.
    const replay = await refund(owner(), outTradeNo, 'R-appid-1');
    expect(replay.fields).toMatchObject({ result_code: 'FAIL', err_code: 'INVALID_REQUEST' });

    const names: Fields[] = [{ out_refund_no: 'R-appid-1' }, { out_trade_no: outTradeNo }];
    for (const by of names) {
      const other = await refundQuery(owner(), by);
      expect(other.fields).toMatchObject({ result_code: 'FAIL', err_code: 'REFUNDNOTEXIST' });
      const own = await refundQuery(cashierApp(), by);
      expect(own.fields).toMatchObject({
        result_code: 'SUCCESS',
        refund_count: '1',
        out_refund_no_0: 'R-appid-1',
      });
    }
  });

  it('an order placed under the owner AppID is not found under the cashier’s, and works as before under its own', async () => {
    const f = unifiedOrderFields(env.sandbox, env.openid, receiver.url);
    expect((await postV2(env.sandbox, '/pay/unifiedorder', f)).fields.result_code).toBe('SUCCESS');
    const outTradeNo = f.out_trade_no ?? '';
    const wrong = await query(cashierApp(), outTradeNo);
    expect(wrong.fields).toMatchObject({ result_code: 'FAIL', err_code: 'ORDERNOTEXIST' });
    const right = await query(owner(), outTradeNo);
    expect(right.fields).toMatchObject({
      result_code: 'SUCCESS',
      appid: owner(),
      trade_state: 'NOTPAY',
    });
  });
});
