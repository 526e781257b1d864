import { generateKeyPairSync } from 'node:crypto';
import { merchantCertificate } from '../../sandbox/certs';
import { decryptReqInfo as sandboxDecrypt, encryptReqInfo } from '../../sandbox/v2/refund-cipher';
import { v2PaySignFields, v2Sign, v2SignMatches } from '../../sandbox/v2/sign';
import { parseFlatXml, XmlFormatError } from '../../sandbox/v2/xml';
import { getJson, http, postJson, putJson, useSandbox } from './support';
import { waitFor } from '../../dev/wait-for';
import {
  decryptReqInfo,
  FAIL_ACK,
  fromXml,
  postTls,
  postV2,
  sign,
  signedXml,
  SUCCESS_ACK,
  unifiedOrderFields,
  v2PaymentArgs,
  verifies,
  XmlReceiver,
  type Fields,
} from './v2-support';

describe('API v2 signing vectors (WeChat’s published examples)', () => {
  const fields = {
    appid: 'wxd930ea5d5a258f4f',
    mch_id: '10000100',
    device_info: '1000',
    body: 'test',
    nonce_str: 'ibuaiVcKdpRxkhJA',
  };
  const key = '192006250b4c09247ec02edce69f6a2d';

  test('MD5 and HMAC-SHA256, in the sandbox and in the test client', () => {
    expect(v2Sign(fields, key, 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(v2Sign(fields, key, 'HMAC-SHA256')).toBe(
      '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6',
    );
    expect(sign(fields, key, 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(
      v2SignMatches(
        { ...fields, sign: 'x', empty: '' },
        key,
        'MD5',
        '9A0A8659F005D6984697E2CA0A9CF3B7',
      ),
    ).toBe(true);
    expect(v2SignMatches(fields, key, 'MD5', '9A0A8659F005D6984697E2CA0A9CF3B8')).toBe(false);
    expect(v2SignMatches(fields, key, 'MD5', 'short')).toBe(false);
  });

  test('v2 paySign', () => {
    const pay = v2PaySignFields(
      'wxd678efh567hg6787',
      '1490840662',
      '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      'prepay_id=wx2017033010242291fcfe0db70013231072',
      'MD5',
    );
    expect(v2Sign(pay, 'qazwsxedcrfvtgbyhnujmikolp111111', 'MD5')).toBe(
      '22D9B4E54AB1950F51E0649E8810ACD6',
    );
  });

  test('the XML codec refuses DTDs, entities, attributes and nesting', () => {
    expect(
      parseFlatXml('<?xml version="1.0"?>\n<xml><a><![CDATA[x<y]]></a><b>1 &amp; 2</b></xml>'),
    ).toEqual({
      a: 'x<y',
      b: '1 & 2',
    });
    for (const bad of [
      '<!DOCTYPE xml [<!ENTITY e "boom">]><xml><a>&e;</a></xml>',
      '<xml><a>&e;</a></xml>',
      '<xml><a x="1">v</a></xml>',
      '<xml><a><b>v</b></a></xml>',
      '<xml><a>1</a><a>2</a></xml>',
      '<xml><a>1</a></xml>trailing',
      '<root><a>1</a></root>',
    ]) {
      expect(() => parseFlatXml(bad)).toThrow(XmlFormatError);
    }
  });

  test('req_info round trip (AES-256-ECB under the MD5 of the key)', () => {
    const key = 'qazwsxedcrfvtgbyhnujmikolp111111';
    const plain = '<root><out_refund_no>R1</out_refund_no></root>';
    expect(decryptReqInfo(key, encryptReqInfo(key, plain))).toBe(plain);
    expect(sandboxDecrypt(key, encryptReqInfo(key, plain))).toBe(plain);
  });
});

describe('API v2 over HTTP', () => {
  const env = useSandbox({ user: 'v2-payer' });
  let receiver: XmlReceiver;
  beforeAll(async () => {
    receiver = await new XmlReceiver().start();
  });
  afterAll(async () => {
    await receiver.close();
  });
  afterEach(async () => {
    await http(`${env.sandbox.url}/sandbox/faults`, { method: 'DELETE' });
  });

  const order = (overrides: Fields = {}): Fields =>
    unifiedOrderFields(env.sandbox, env.openid, receiver.url, overrides);
  const key = (): string => env.sandbox.credentials.apiV2Key;
  const advance = (seconds: number) =>
    postJson(`${env.sandbox.url}/sandbox/clock`, { advanceSeconds: seconds });
  const pay = async (prepayId: string, args: Fields = v2PaymentArgs(env.sandbox, prepayId)) =>
    (
      await postJson(`${env.sandbox.url}/sandbox/cashier/pay`, {
        openid: env.openid,
        outcome: 'success',
        requestPaymentArgs: args,
      })
    ).json.errMsg;

  test('unifiedorder: prepay_id in a signed answer (MD5 and HMAC-SHA256), reused for the same order', async () => {
    const fields = order();
    const r = await postV2(env.sandbox, '/pay/unifiedorder', fields);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/xml/);
    expect(r.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      appid: fields.appid,
      mch_id: fields.mch_id,
      trade_type: 'JSAPI',
    });
    expect(r.fields.prepay_id).toMatch(/^wx\d{14}/);
    expect(verifies(r.fields, key(), 'MD5')).toBe(true);
    expect(verifies(r.fields, key(), 'HMAC-SHA256')).toBe(false);
    // A retry with a new nonce and payer IP is the same order.
    const again = await postV2(env.sandbox, '/pay/unifiedorder', {
      ...fields,
      spbill_create_ip: '10.0.0.2',
    });
    expect(again.fields.prepay_id).toBe(r.fields.prepay_id);

    const hmac = await postV2(env.sandbox, '/pay/unifiedorder', order(), 'HMAC-SHA256');
    expect(hmac.fields.result_code).toBe('SUCCESS');
    expect(verifies(hmac.fields, key(), 'HMAC-SHA256')).toBe(true);

    const changed = await postV2(env.sandbox, '/pay/unifiedorder', { ...fields, total_fee: '101' });
    expect(changed.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'INVALID_REQUEST',
    });
    expect(verifies(changed.fields, key(), 'MD5')).toBe(true);
    const view = await getJson(`${env.sandbox.url}/sandbox/orders/${fields.out_trade_no}`);
    expect(view).toMatchObject({ scheme: 'v2', signType: 'MD5', state: 'NOTPAY' });
  });

  test('business refusals: LACK_PARAMS, APPID_MCHID_NOT_MATCH, PARAM_ERROR', async () => {
    const expectErr = async (fields: Fields, errCode: string): Promise<void> => {
      const r = await postV2(env.sandbox, '/pay/unifiedorder', fields);
      expect(r.fields).toMatchObject({
        return_code: 'SUCCESS',
        result_code: 'FAIL',
        err_code: errCode,
      });
      expect(r.fields.err_code_des).not.toBe('');
      expect(verifies(r.fields, key(), 'MD5')).toBe(true);
    };
    const { openid: _o, ...noOpenid } = order();
    void _o;
    await expectErr(noOpenid, 'LACK_PARAMS');
    await expectErr(order({ appid: env.sandbox.otherApp.appId }), 'APPID_MCHID_NOT_MATCH');
    await expectErr(order({ mch_id: env.sandbox.credentials.spMchId }), 'APPID_MCHID_NOT_MATCH');
    await expectErr(order({ total_fee: '0' }), 'PARAM_ERROR');
    await expectErr(order({ total_fee: '2147483648' }), 'PARAM_ERROR');
    await expectErr(order({ total_fee: '1.5' }), 'PARAM_ERROR');
    await expectErr(order({ body: '商'.repeat(43) }), 'PARAM_ERROR');
    await expectErr(order({ out_trade_no: 'bad no!' }), 'PARAM_ERROR');
    await expectErr(order({ nonce_str: 'n'.repeat(33) }), 'PARAM_ERROR');
    await expectErr(order({ notify_url: `${receiver.url}?x=1` }), 'PARAM_ERROR');
    await expectErr(order({ notify_url: 'http://example.com/notify' }), 'PARAM_ERROR');
    await expectErr(order({ time_expire: '20240230120000' }), 'PARAM_ERROR');
    await expectErr(order({ time_expire: '20200101120000' }), 'PARAM_ERROR');
    const foreign = (
      await postJson(`${env.sandbox.url}/sandbox/login-code`, {
        user: 'v2-payer',
        appid: env.sandbox.otherApp.appId,
      })
    ).json.openid as string;
    await expectErr(order({ openid: foreign }), 'PARAM_ERROR');
  });

  test('transport failures are return_code FAIL, unsigned', async () => {
    const url = `${env.sandbox.url}/pay/unifiedorder`;
    const fail = (text: string): Fields => {
      const f = fromXml(text);
      expect(f.return_code).toBe('FAIL');
      expect(f.sign).toBeUndefined();
      return f;
    };
    expect(fail((await http(url)).text).return_msg).toBe('REQUIRE_POST_METHOD');
    expect(fail((await http(url, { method: 'POST', body: '' })).text).return_msg).toBe(
      'POST_DATA_EMPTY',
    );
    const latin1 = Buffer.from('<xml><body>caf\xe9</body></xml>', 'latin1');
    const notUtf8 = await new Promise<string>((resolve, reject) => {
      // http() takes a string body; send raw bytes through a plain request.
      void import('node:http').then(({ request }) => {
        const req = request(
          url,
          { method: 'POST', headers: { 'Content-Type': 'text/xml' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          },
        );
        req.on('error', reject);
        req.end(latin1);
      });
    });
    expect(fail(notUtf8).return_msg).toBe('NOT_UTF8');
    const post = (body: string) =>
      http(url, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
    expect(fail((await post('<xml><a>1</b></xml>')).text).return_msg).toBe('XML_FORMAT_ERROR');
    const dtd = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><body>&x;</body></xml>`;
    expect(fail((await post(dtd)).text).return_msg).toBe('XML_FORMAT_ERROR');
    const big = await post(`<xml><body>${'a'.repeat(70 * 1024)}</body></xml>`);
    expect(big.status).toBe(200);
    expect(fail(big.text).return_msg).toMatch(/65536/);
    const fields = order();
    const tampered = await postV2(env.sandbox, '/pay/unifiedorder', {
      ...fields,
      sign: sign(fields, 'x'.repeat(32)),
    });
    expect(tampered.fields.return_msg).toBe('签名错误');
    expect(tampered.fields.return_code).toBe('FAIL');
    const all: Fields = { ...fields, nonce_str: 'abc', sign_type: 'SHA1' };
    all.sign = sign(all, key());
    expect(fail((await post(signedXmlRaw(all))).text).return_msg).toMatch(/sign_type/);
    // An MD5 sign presented as HMAC-SHA256 does not verify.
    const mixed: Fields = { ...fields, nonce_str: 'abc', sign_type: 'HMAC-SHA256' };
    mixed.sign = sign(mixed, key(), 'MD5');
    expect(fail((await post(signedXmlRaw(mixed))).text).return_msg).toBe('签名错误');
  });

  test('cashier, notification (FAIL answer retried, then SUCCESS), orderquery, ORDERPAID', async () => {
    const received = receiver.received.length;
    let answers = 0;
    receiver.answer = () => {
      answers += 1;
      return { status: 200, body: answers === 1 ? FAIL_ACK : SUCCESS_ACK };
    };
    const fields = order({ attach: 'a&b=c' });
    const created = await postV2(env.sandbox, '/pay/unifiedorder', fields, 'HMAC-SHA256');
    const prepayId = created.fields.prepay_id ?? '';
    const good = v2PaymentArgs(env.sandbox, prepayId, 'HMAC-SHA256');
    const sign = good.paySign ?? '';
    // Another first digit, whatever the sign began with.
    const forged = `${sign.startsWith('0') ? '1' : '0'}${sign.slice(1)}`;
    expect(await pay(prepayId, { ...good, paySign: forged })).toBe(
      'requestPayment:fail 支付验证签名失败',
    );
    expect(await pay(prepayId, v2PaymentArgs(env.sandbox, prepayId, 'MD5'))).toBe(
      'requestPayment:fail 支付验证签名失败',
    );
    expect(await pay(prepayId, { ...good, signType: 'RSA' })).toBe(
      'requestPayment:fail 支付验证签名失败',
    );
    expect(await pay(prepayId, good)).toBe('requestPayment:ok');

    await receiver.waitFor(received + 2);
    const [first, second] = receiver.received.slice(received);
    expect(first?.contentType).toMatch(/^text\/xml/);
    expect(first?.body).toBe(second?.body);
    const note = fromXml(first?.body ?? '');
    expect(note).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      appid: fields.appid,
      mch_id: fields.mch_id,
      openid: env.openid,
      trade_type: 'JSAPI',
      total_fee: '100',
      cash_fee: '100',
      fee_type: 'CNY',
      out_trade_no: fields.out_trade_no,
      attach: 'a&b=c',
      is_subscribe: 'N',
      sign_type: 'HMAC-SHA256',
    });
    expect(note.time_end).toMatch(/^\d{14}$/);
    expect(verifies(note, key(), 'HMAC-SHA256')).toBe(true);
    const notifications = (await getJson(`${env.sandbox.url}/sandbox/notifications`))
      .notifications as {
      outTradeNo: string;
      format: string;
      state: string;
      attempts: unknown[];
    }[];
    const record = notifications.find((n) => n.outTradeNo === fields.out_trade_no);
    expect(record).toMatchObject({ format: 'xml', state: 'delivered' });
    expect(record?.attempts).toHaveLength(2);
    const page = (await http(`${env.sandbox.url}/sandbox`)).text;
    expect(page).toContain('<span class="scheme" title="HMAC-SHA256">v2</span>');
    expect(page).toContain('<td class="format">XML</td>');
    expect(page).not.toContain(key());

    const q = await postV2(env.sandbox, '/pay/orderquery', {
      appid: fields.appid ?? '',
      mch_id: fields.mch_id ?? '',
      out_trade_no: fields.out_trade_no ?? '',
    });
    expect(q.fields).toMatchObject({
      result_code: 'SUCCESS',
      trade_state: 'SUCCESS',
      transaction_id: note.transaction_id,
      openid: env.openid,
      total_fee: '100',
      cash_fee: '100',
      bank_type: 'OTHERS',
      time_end: note.time_end,
      attach: 'a&b=c',
    });
    expect(verifies(q.fields, key(), 'MD5')).toBe(true);
    const byId = await postV2(env.sandbox, '/pay/orderquery', {
      appid: fields.appid ?? '',
      mch_id: fields.mch_id ?? '',
      transaction_id: note.transaction_id ?? '',
    });
    expect(byId.fields.out_trade_no).toBe(fields.out_trade_no);
    const unknown = await postV2(env.sandbox, '/pay/orderquery', {
      appid: fields.appid ?? '',
      mch_id: fields.mch_id ?? '',
      out_trade_no: 'NOSUCHORDER',
    });
    expect(unknown.fields.err_code).toBe('ORDERNOTEXIST');
    const again = await postV2(env.sandbox, '/pay/unifiedorder', fields, 'HMAC-SHA256');
    expect(again.fields.err_code).toBe('ORDERPAID');
    receiver.answer = () => ({ status: 200, body: SUCCESS_ACK });
  });

  test('the bad_signature notify fault spoils the first XML sign only', async () => {
    const received = receiver.received.length;
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'notify', kind: 'bad_signature', times: 1 },
    ]);
    const fields = order();
    // Only this order's deliveries count: a late retry from an earlier test may arrive too.
    const ours = () =>
      receiver.received
        .slice(received)
        .map((r) => fromXml(r.body))
        .filter((n) => n.out_trade_no === fields.out_trade_no);
    receiver.answer = () => ({ status: 200, body: ours().length === 1 ? FAIL_ACK : SUCCESS_ACK });
    const created = await postV2(env.sandbox, '/pay/unifiedorder', fields);
    expect(await pay(created.fields.prepay_id ?? '')).toBe('requestPayment:ok');
    await waitFor('two deliveries of this order', () => ours().length >= 2);
    const [first, second] = ours();
    expect(verifies(first ?? {}, key(), 'MD5')).toBe(false);
    expect(verifies(second ?? {}, key(), 'MD5')).toBe(true);
    expect(first?.sign_type).toBeUndefined();
    receiver.answer = () => ({ status: 200, body: SUCCESS_ACK });
  });

  test('closeorder: not within 5 minutes, then SUCCESS, then ORDERCLOSED; paid and unknown orders', async () => {
    const fields = order();
    await postV2(env.sandbox, '/pay/unifiedorder', fields);
    const close = (no: string) =>
      postV2(env.sandbox, '/pay/closeorder', {
        appid: fields.appid ?? '',
        mch_id: fields.mch_id ?? '',
        out_trade_no: no,
      });
    const early = await close(fields.out_trade_no ?? '');
    expect(early.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'SYSTEMERROR',
      err_code_des: '订单生成后不能马上调用关单接口，最短调用时间间隔为5分钟',
    });
    await advance(300);
    const closed = await close(fields.out_trade_no ?? '');
    expect(closed.fields.result_code).toBe('SUCCESS');
    expect(verifies(closed.fields, key(), 'MD5')).toBe(true);
    expect((await close(fields.out_trade_no ?? '')).fields.err_code).toBe('ORDERCLOSED');
    expect((await postV2(env.sandbox, '/pay/unifiedorder', fields)).fields.err_code).toBe(
      'ORDERCLOSED',
    );
    expect((await close('NOSUCHORDER')).fields.err_code).toBe('ORDERNOTEXIST');

    const paid = order();
    const created = await postV2(env.sandbox, '/pay/unifiedorder', paid);
    expect(await pay(created.fields.prepay_id ?? '')).toBe('requestPayment:ok');
    await advance(300);
    expect((await close(paid.out_trade_no ?? '')).fields.err_code).toBe('ORDERPAID');
  });

  test('faults: system_error is a signed SYSTEMERROR, bad_signature a sign that does not verify', async () => {
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'jsapi', kind: 'system_error', times: 1 },
    ]);
    const fields = order();
    const failed = await postV2(env.sandbox, '/pay/unifiedorder', fields);
    expect(failed.status).toBe(200);
    expect(failed.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'SYSTEMERROR',
    });
    expect(verifies(failed.fields, key(), 'MD5')).toBe(true);
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'jsapi', kind: 'bad_signature', times: 1 },
    ]);
    const spoiled = await postV2(env.sandbox, '/pay/unifiedorder', fields);
    expect(spoiled.fields.result_code).toBe('SUCCESS');
    expect(verifies(spoiled.fields, key(), 'MD5')).toBe(false);
  });

  describe('refunds over mutual TLS', () => {
    let paid: Fields;
    let transactionId: string;
    let refundReceiver: XmlReceiver;
    beforeAll(async () => {
      refundReceiver = await new XmlReceiver().start();
      paid = order();
      const created = await postV2(env.sandbox, '/pay/unifiedorder', paid);
      expect(await pay(created.fields.prepay_id ?? '')).toBe('requestPayment:ok');
      const q = await postV2(env.sandbox, '/pay/orderquery', {
        appid: paid.appid ?? '',
        mch_id: paid.mch_id ?? '',
        out_trade_no: paid.out_trade_no ?? '',
      });
      transactionId = q.fields.transaction_id ?? '';
    });
    afterAll(async () => {
      await refundReceiver.close();
    });

    const refundFields = (overrides: Fields = {}): Fields => ({
      appid: paid.appid ?? '',
      mch_id: paid.mch_id ?? '',
      out_trade_no: paid.out_trade_no ?? '',
      out_refund_no: 'R-v2-1',
      total_fee: '100',
      refund_fee: '40',
      notify_url: refundReceiver.url,
      ...overrides,
    });
    const merchantCert = () => ({
      cert: env.sandbox.credentials.merchantCertPem,
      key: env.sandbox.credentials.merchantPrivateKeyPem,
    });

    test('the plain listener, no certificate, or another certificate: FAIL', async () => {
      const plain = await postV2(env.sandbox, '/secapi/pay/refund', refundFields());
      expect(plain.fields.return_code).toBe('FAIL');
      expect(plain.fields.return_msg).toMatch(/证书/);
      const body = signedXml(env.sandbox, refundFields());
      const none = await postTls(env.sandbox, '/secapi/pay/refund', body);
      expect(none.fields).toEqual({ return_code: 'FAIL', return_msg: '证书验证失败' });
      // Same serial and CN, another key: pinning, not names, decides.
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const otherPem = other.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      const forged = await merchantCertificate(
        otherPem,
        env.sandbox.credentials.merchantSerialNo,
        env.sandbox.credentials.mchId,
      );
      const wrong = await postTls(env.sandbox, '/secapi/pay/refund', body, {
        cert: forged,
        key: otherPem,
      });
      expect(wrong.fields).toEqual({ return_code: 'FAIL', return_msg: '证书验证失败' });
      const elsewhere = await postTls(env.sandbox, '/pay/unifiedorder', body, merchantCert());
      expect(elsewhere.status).toBe(404);
    });

    test('with the merchant certificate: accepted, idempotent, settles, refundquery, XML notification', async () => {
      const body = signedXml(env.sandbox, refundFields(), 'HMAC-SHA256');
      const r = await postTls(env.sandbox, '/secapi/pay/refund', body, merchantCert());
      expect(r.fields).toMatchObject({
        return_code: 'SUCCESS',
        result_code: 'SUCCESS',
        out_refund_no: 'R-v2-1',
        out_trade_no: paid.out_trade_no,
        transaction_id: transactionId,
        refund_fee: '40',
        total_fee: '100',
        cash_fee: '100',
      });
      expect(r.fields.refund_id).toMatch(/^50\d{27}$/);
      expect(verifies(r.fields, key(), 'HMAC-SHA256')).toBe(true);
      const again = await postTls(
        env.sandbox,
        '/secapi/pay/refund',
        signedXml(env.sandbox, refundFields(), 'HMAC-SHA256'),
        merchantCert(),
      );
      expect(again.fields.refund_id).toBe(r.fields.refund_id);
      const changed = await postTls(
        env.sandbox,
        '/secapi/pay/refund',
        signedXml(env.sandbox, refundFields({ refund_fee: '41' }), 'HMAC-SHA256'),
        merchantCert(),
      );
      expect(changed.fields.err_code).toBe('INVALID_REQUEST');

      const query = (f: Fields) =>
        postV2(env.sandbox, '/pay/refundquery', {
          appid: paid.appid ?? '',
          mch_id: paid.mch_id ?? '',
          ...f,
        });
      const processing = await query({ out_refund_no: 'R-v2-1' });
      // At timeScale 0.001 the 5 s settlement takes 5 ms: it may already be over.
      expect(processing.fields.refund_status_0).toMatch(/^(PROCESSING|SUCCESS)$/);
      expect(processing.fields).toMatchObject({
        refund_count: '1',
        refund_fee_0: '40',
      });
      await advance(5);
      const done = await query({ out_refund_no: 'R-v2-1' });
      expect(done.fields).toMatchObject({
        result_code: 'SUCCESS',
        refund_count: '1',
        out_refund_no_0: 'R-v2-1',
        refund_id_0: r.fields.refund_id,
        refund_fee_0: '40',
        refund_status_0: 'SUCCESS',
        out_trade_no: paid.out_trade_no,
        total_fee: '100',
        transaction_id: transactionId,
      });
      expect(done.fields.refund_success_time_0).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(verifies(done.fields, key(), 'MD5')).toBe(true);
      expect((await query({ out_trade_no: paid.out_trade_no ?? '' })).fields.refund_count).toBe(
        '1',
      );
      expect((await query({ out_refund_no: 'NOSUCHREFUND' })).fields.err_code).toBe(
        'REFUNDNOTEXIST',
      );

      await refundReceiver.waitFor(1);
      const note = fromXml(refundReceiver.received[0]?.body ?? '');
      expect(note).toMatchObject({
        return_code: 'SUCCESS',
        appid: paid.appid,
        mch_id: paid.mch_id,
      });
      expect(note.sign).toBeUndefined();
      const info = fromXml(decryptReqInfo(key(), note.req_info ?? ''));
      expect(info).toMatchObject({
        out_refund_no: 'R-v2-1',
        out_trade_no: paid.out_trade_no,
        refund_id: r.fields.refund_id,
        refund_fee: '40',
        total_fee: '100',
        settlement_refund_fee: '40',
        refund_status: 'SUCCESS',
        transaction_id: transactionId,
        refund_recv_accout: '支付用户零钱',
        refund_account: 'REFUND_SOURCE_RECHARGE_FUNDS',
        refund_request_source: 'API',
      });
      expect(info.success_time).toBe(done.fields.refund_success_time_0);

      const over = await postTls(
        env.sandbox,
        '/secapi/pay/refund',
        signedXml(env.sandbox, refundFields({ out_refund_no: 'R-v2-2', refund_fee: '61' })),
        merchantCert(),
      );
      expect(over.fields.err_code).toBe('INVALID_REQUEST');
      const unknown = await postTls(
        env.sandbox,
        '/secapi/pay/refund',
        signedXml(
          env.sandbox,
          refundFields({ out_refund_no: 'R-v2-3', out_trade_no: 'NOSUCHORDER' }),
        ),
        merchantCert(),
      );
      expect(unknown.fields.err_code).toBe('ORDERNOTEXIST');
    });
  });
});

/** toXml of already-signed fields (the test wants full control of sign_type and sign). */
function signedXmlRaw(fields: Fields): string {
  return `<xml>${Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join('')}</xml>`;
}
