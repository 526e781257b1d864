import {
  decryptNotification,
  getJson,
  jsapiBody,
  mintOpenid,
  postJson,
  useSandbox,
} from './support';

const env = useSandbox({ user: 'payer', receiver: true });

async function newOrder(
  overrides: Record<string, unknown> = {},
): Promise<{ no: string; prepayId: string }> {
  const b = jsapiBody(env.sandbox, env.openid, env.receiver.url, overrides);
  const r = await env.client.call('POST', '/v3/pay/transactions/jsapi', b);
  expect(r.status).toBe(200);
  return { no: b.out_trade_no as string, prepayId: r.json?.prepay_id as string };
}

interface CashierView {
  at: string;
  openid: string;
  appid: string;
  prepayId: string;
  requested: string;
  result: string;
  errMsg: string;
  reason?: string;
}

/** The cashier calls the sandbox kept on an order (GET /sandbox/orders/:no). */
async function cashierCalls(no: string): Promise<CashierView[]> {
  return (await getJson(`${env.sandbox.url}/sandbox/orders/${no}`)).cashier as CashierView[];
}

async function pay(
  args: object,
  outcome = 'success',
  who = env.openid,
  appid?: string,
): Promise<string> {
  const r = await postJson(`${env.sandbox.url}/sandbox/cashier/pay`, {
    openid: who,
    outcome,
    requestPaymentArgs: args,
    ...(appid ? { appid } : {}),
  });
  expect(r.status).toBe(200);
  return r.json.errMsg as string;
}

describe('cashier', () => {
  test('success: requestPayment:ok, SUCCESS with transaction fields, signed+encrypted TRANSACTION.SUCCESS', async () => {
    const { no, prepayId } = await newOrder({ attach: 'sku=1' });
    const before = env.receiver.received.length;
    expect(await pay(env.client.requestPaymentArgs(prepayId))).toBe('requestPayment:ok');
    const q = await env.client.query(no);
    expect(q.json).toMatchObject({
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      trade_type: 'JSAPI',
      amount: { total: 100, payer_total: 100, currency: 'CNY' },
      payer: { openid: env.openid },
      attach: 'sku=1',
    });
    expect(q.json?.transaction_id).toMatch(/^4200\d{24}$/);
    expect(q.json?.success_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);

    await env.receiver.waitFor(before + 1);
    const got = env.receiver.received[before];
    expect(got?.headers['content-type']).toBe('application/json');
    expect(env.client.verify(got?.headers ?? {}, got?.body ?? '')).toBe(true);
    const { event, resource } = decryptNotification(
      env.sandbox.credentials.apiV3Key,
      got?.body ?? '',
    );
    expect(event).toMatchObject({
      event_type: 'TRANSACTION.SUCCESS',
      resource_type: 'encrypt-resource',
      summary: '支付成功',
      resource: {
        algorithm: 'AEAD_AES_256_GCM',
        associated_data: 'transaction',
        original_type: 'transaction',
      },
    });
    expect(String((event.resource as Record<string, unknown>).nonce)).toHaveLength(12);
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.create_time).toMatch(/\+08:00$/);
    // The plaintext is the same transaction object the query returns.
    expect(resource).toEqual(q.json);
  });

  test('cancel leaves the order payable; fail gives PAYERROR, which can still be paid', async () => {
    const { no, prepayId } = await newOrder();
    const args = env.client.requestPaymentArgs(prepayId);
    expect(await pay(args, 'cancel')).toBe('requestPayment:fail cancel');
    expect((await env.client.query(no)).json?.trade_state).toBe('NOTPAY');
    expect(await pay(args, 'fail')).toBe('requestPayment:fail 支付失败');
    expect((await env.client.query(no)).json?.trade_state).toBe('PAYERROR');
    expect(await pay(args)).toBe('requestPayment:ok');
    expect(await pay(args)).toBe('requestPayment:fail 该订单已支付');
    // Each call is kept on the order: the cancel and the refusal change nothing else.
    const calls = await cashierCalls(no);
    expect(calls.map((c) => [c.requested, c.result, c.errMsg])).toEqual([
      ['cancel', 'cancelled', 'requestPayment:fail cancel'],
      ['fail', 'failed', 'requestPayment:fail 支付失败'],
      ['success', 'paid', 'requestPayment:ok'],
      ['success', 'refused', 'requestPayment:fail 该订单已支付'],
    ]);
    expect(calls[0]).toEqual({
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/),
      openid: env.openid,
      appid: env.sandbox.credentials.appId,
      prepayId,
      requested: 'cancel',
      result: 'cancelled',
      errMsg: 'requestPayment:fail cancel',
    });
  });

  test('argument types are checked like the base library does', async () => {
    const { prepayId } = await newOrder();
    const args = env.client.requestPaymentArgs(prepayId);
    expect(await pay({ ...args, timeStamp: Number(args.timeStamp) })).toBe(
      'requestPayment:fail parameter error: parameter.timeStamp should be String instead of Number;',
    );
    const { paySign: _p, ...noSign } = args;
    expect(await pay(noSign)).toBe(
      'requestPayment:fail parameter error: parameter.paySign should be String instead of Undefined;',
    );
  });

  test('paySign, signType, package and appid are verified', async () => {
    const { no, prepayId } = await newOrder();
    const args = env.client.requestPaymentArgs(prepayId);
    expect(
      await pay({
        ...args,
        paySign: env.client
          .requestPaymentArgs(prepayId)
          .paySign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
      }),
    ).toBe('requestPayment:fail 支付验证签名失败');
    expect(await pay({ ...args, nonceStr: `${args.nonceStr}x` })).toBe(
      'requestPayment:fail 支付验证签名失败',
    );
    expect(await pay({ ...args, signType: 'MD5' })).toBe('requestPayment:fail 支付验证签名失败');
    expect(await pay({ ...args, package: 'prepay_id=wx123' })).toBe(
      'requestPayment:fail prepay_id无效',
    );
    expect(await pay({ ...args, package: prepayId })).toBe('requestPayment:fail prepay_id无效');
    // Signed for another app: the signature is fine but the order belongs to the merchant's app.
    const otherArgs = env.client.requestPaymentArgs(prepayId, env.sandbox.otherApp.appId);
    expect(await pay(otherArgs, 'success', env.openid, env.sandbox.otherApp.appId)).toBe(
      'requestPayment:fail 调用支付的appid与下单appid不一致',
    );
    const someoneElse = await mintOpenid(env.sandbox, 'someone-else');
    expect(await pay(args, 'success', someoneElse)).toBe(
      'requestPayment:fail 下单账号与支付账号不一致，请核实后再支付',
    );
    expect((await env.client.query(no)).json?.trade_state).toBe('NOTPAY');
    // Refusals are kept on the order too, except where the package names no known prepay_id.
    const calls = await cashierCalls(no);
    expect(calls.map((c) => c.result)).toEqual(Array(5).fill('refused'));
    expect(calls[0]?.reason).toMatch(/^paySign does not verify/);
    expect(calls[3]?.appid).toBe(env.sandbox.otherApp.appId);
    expect(calls[4]?.openid).toBe(someoneElse);
  });

  test('closed orders, expired prepay_ids and passed time_expire cannot be paid', async () => {
    const closed = await newOrder();
    await env.client.call('POST', `/v3/pay/transactions/out-trade-no/${closed.no}/close`, {
      mchid: env.sandbox.credentials.mchId,
    });
    expect(await pay(env.client.requestPaymentArgs(closed.prepayId))).toBe(
      'requestPayment:fail 该订单已关闭',
    );

    const clock = (await postJson(`${env.sandbox.url}/sandbox/clock`, { advanceSeconds: 0 })).json;
    const expire = new Date((clock.epochMs as number) + 600_000)
      .toISOString()
      .replace(/\.\d+Z$/, 'Z');
    const expiring = await newOrder({ time_expire: expire });
    const old = await newOrder();
    await postJson(`${env.sandbox.url}/sandbox/clock`, { advanceSeconds: 601 });
    expect(await pay(env.client.requestPaymentArgs(expiring.prepayId))).toBe(
      'requestPayment:fail 订单已过期',
    );
    await postJson(`${env.sandbox.url}/sandbox/clock`, { advanceSeconds: 2 * 3600 });
    expect(await pay(env.client.requestPaymentArgs(old.prepayId))).toBe(
      'requestPayment:fail prepay_id已过期',
    );
  });

  test('control input is validated', async () => {
    const r = await postJson(`${env.sandbox.url}/sandbox/cashier/pay`, {
      openid: env.openid,
      outcome: 'maybe',
      requestPaymentArgs: {},
    });
    expect([r.status, r.json.code]).toEqual([400, 'PARAM_ERROR']);
    const r2 = await postJson(`${env.sandbox.url}/sandbox/cashier/pay`, {
      outcome: 'success',
      requestPaymentArgs: {},
    });
    expect(r2.status).toBe(400);
  });
});
