/**
 * One purchase, three schemes: the shop's flows (happy path, cancel then pay, lost notification,
 * refund) under API v3 as a service provider and API v2 with each of its signatures, through the
 * real pages, the built functional page, the server and the sandbox. (API v3 direct runs the
 * same flows in the other files of this folder.) The functional page hands WeChat whatever
 * `signType` the server chose, untouched.
 */
import { httpRequest } from '../../dev/emulator/http';
import { tapPayButton } from '../../dev/emulator/navigator';
import type { StackOptions } from '../../dev/stack';
import {
  orderNoOf,
  payButtonOf,
  tap,
  textOf,
  waitFor,
  waitForPhase,
} from '../../dev/pages-harness';
import { usePhoneStack } from './phone-stack';
import type { OrderRow, SandboxOrder } from './shop-types';

type StackName = 'partner' | 'v2md5' | 'v2hmac';

interface SchemeCase {
  name: string;
  on: StackName;
  stack: StackOptions;
  signType: 'RSA' | 'MD5' | 'HMAC-SHA256';
  scheme: string;
}

const CASES: SchemeCase[] = [
  {
    name: 'v3 service provider',
    on: 'partner',
    stack: { scheme: 'v3-partner' },
    signType: 'RSA',
    scheme: 'v3-partner',
  },
  {
    name: 'API v2, MD5',
    on: 'v2md5',
    stack: { scheme: 'v2', v2SignType: 'MD5' },
    signType: 'MD5',
    scheme: 'v2',
  },
  {
    name: 'API v2, HMAC-SHA256',
    on: 'v2hmac',
    stack: { scheme: 'v2', v2SignType: 'HMAC-SHA256' },
    signType: 'HMAC-SHA256',
    scheme: 'v2',
  },
];

interface RefundRow {
  out_refund_no: string;
  status: string;
  amount: number;
}

// Only the result page's reads (and the notification) settle orders here, not the query job.
const byName = Object.fromEntries(
  CASES.map((c) => [c.on, { ...c.stack, serverConfig: { queryDelaySeconds: 3600 } }]),
) as Record<StackName, StackOptions>;

// One page set per file: the scheme stacks run side by side and each case buys on its own (the
// main stack is a plain v3 one nobody buys on here).
const phones = usePhoneStack<StackName>({
  pollDelaysMs: [100, 200, 300, 500, 800],
  language: 'en_US',
  others: byName,
});

describe.each(CASES)('$name', ({ on, signType, scheme }) => {
  const env = {
    get stack() {
      return phones.others[on];
    },
  };

  afterEach(async () => {
    await env.stack.sandboxSend('DELETE', '/sandbox/faults');
  });

  const sandboxOrder = (orderNo: string) =>
    env.stack.sandboxGet<SandboxOrder & { scheme?: string }>(`/sandbox/orders/${orderNo}`);

  async function buy(user: string, outcome: 'success' | 'cancel' = 'success') {
    const phone = phones.pickUp(
      { user, cashierOutcome: outcome, modalAnswers: ['confirm'] },
      env.stack,
    );
    const confirm = phone.open('order-confirm', { items: 'TEA-LJ-250:1' });
    await waitForPhase(confirm, 'ready');
    const orderNo = orderNoOf(confirm);
    const fee = Number(confirm.data.fee);
    tapPayButton(payButtonOf(confirm));
    const result = await phone.followRedirect();
    return { phone, orderNo, fee, result };
  }

  it('happy path: paid, the notification lands, the scheme’s signType reached WeChat untouched', async () => {
    const { phone, orderNo, fee, result } = await buy('scheme-alice');
    await waitForPhase(result.page, 'paid');
    expect(textOf(result.page, '#title')).toBe('Payment successful');
    expect(phone.wx.emulator.payments.map((p) => p.errMsg)).toEqual(['requestPayment:ok']);
    expect(phone.wx.emulator.payments[0]?.args.signType).toBe(signType);
    const wechat = await sandboxOrder(orderNo);
    expect(wechat).toMatchObject({ state: 'SUCCESS', total: fee, scheme });
    await waitFor('the notification to be acknowledged', async () =>
      (await sandboxOrder(orderNo)).notifications.some((n) => n.state === 'delivered'),
    );
    const [row] = await env.stack.sql<OrderRow>('SELECT * FROM orders WHERE order_no = ?', orderNo);
    expect(row).toMatchObject({ status: 'paid', total: fee });
    expect(row?.transaction_id).toBe(wechat.transactionId);
  }, 30_000);

  it('cancel, then pay the same order again: one WeChat order, paid once', async () => {
    const { phone, orderNo, result } = await buy('scheme-carol', 'cancel');
    await waitForPhase(result.page, 'unpaid');
    tap(result.page, '#pay-again');
    const again = await phone.followRedirect();
    await waitForPhase(again.page, 'ready');
    expect(orderNoOf(again.page)).toBe(orderNo);
    phone.wx.emulator.cashierOutcome = 'success';
    tapPayButton(payButtonOf(again.page));
    const paid = await phone.followRedirect();
    await waitForPhase(paid.page, 'paid');
    expect(phone.wx.emulator.payments.map((p) => p.errMsg)).toEqual([
      'requestPayment:fail cancel',
      'requestPayment:ok',
    ]);
    expect(new Set(phone.wx.emulator.payments.map((p) => p.args.package)).size).toBe(1);
    const wechat = await sandboxOrder(orderNo);
    expect(wechat.state).toBe('SUCCESS');
    expect(wechat.prepays).toHaveLength(1);
  }, 30_000);

  it('lost notification: the result page reaches paid through the server’s query', async () => {
    await env.stack.sandboxSend('PUT', '/sandbox/faults', [{ endpoint: 'notify', kind: 'drop' }]);
    const { orderNo, fee, result } = await buy('scheme-heidi');
    await waitForPhase(result.page, 'paid');
    const [row] = await env.stack.sql<OrderRow>('SELECT * FROM orders WHERE order_no = ?', orderNo);
    expect(row).toMatchObject({ status: 'paid', total: fee });
    expect(await env.stack.sql('SELECT * FROM notifications WHERE order_no = ?', orderNo)).toEqual(
      [],
    );
  }, 30_000);

  it('refund: the merchant refunds part, WeChat settles it, the server learns it', async () => {
    const { orderNo, fee, result } = await buy('scheme-ivan');
    await waitForPhase(result.page, 'paid');
    const res = await httpRequest({
      method: 'POST',
      url: `${env.stack.serverUrl}/api/orders/${orderNo}/refund`,
      headers: {
        authorization: `Bearer ${env.stack.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ amount: 100, reason: 'one tin short' }),
      timeoutMs: 10_000,
    });
    expect(res.statusCode).toBe(200);
    const refund = JSON.parse(res.body) as { outRefundNo: string; amount: number };
    expect(refund.amount).toBe(100);
    await waitFor(
      'the refund to succeed',
      async () => {
        const [r] = await env.stack.sql<RefundRow>(
          'SELECT * FROM refunds WHERE out_refund_no = ?',
          refund.outRefundNo,
        );
        return r?.status === 'success';
      },
      15_000,
    );
    const [row] = await env.stack.sql<OrderRow & { refunded: number }>(
      'SELECT * FROM orders WHERE order_no = ?',
      orderNo,
    );
    expect(row).toMatchObject({ status: 'paid', total: fee, refunded: 100 });
  }, 30_000);
});
