/**
 * The payment result page against the real server: it decides from the server's answer only.
 * Paid (with details and the way back), unpaid after a cancel (pay again), confirming that runs
 * out into "still confirming" with a bounded number of reads, and a refusal.
 */
import { pollPolicy } from '../../miniprogram/lib/order-status';
import { tapPayButton } from '../../dev/emulator/navigator';
import { httpRequest } from '../../dev/emulator/http';
import type { Phone } from '../../dev/phone';
import { usePhoneStack } from '../e2e/phone-stack';
import {
  closePage,
  orderNoOf,
  payButtonOf,
  tap,
  textOf,
  waitFor,
  waitForPhase,
} from '../../dev/pages-harness';

const env = usePhoneStack({ pollDelaysMs: [50, 100, 150], language: 'en_US' });

async function pendingOrder(p: Phone, items: string): Promise<string> {
  const confirm = p.open('order-confirm', { items });
  await waitForPhase(confirm, 'ready');
  return orderNoOf(confirm);
}

describe('pay-result', () => {
  it('paid: amount, number, time; "View order" shows the details; "Back to shop"', async () => {
    const phone = env.pickUp({ user: 'result-paid', cashierOutcome: 'success' });
    const confirm = phone.open('order-confirm', { items: 'TEA-LJ-250:1,MUG-ENAMEL:1' });
    await waitForPhase(confirm, 'ready');
    tapPayButton(payButtonOf(confirm));
    const { page } = await phone.followRedirect();
    await waitForPhase(page, 'paid');
    expect(textOf(page, '#amount')).toBe('¥153.00');
    expect(page.data.amountLabel).toBe('Amount 153.00 yuan');
    expect(textOf(page, '#hint')).toBe('Thank you. Your order is confirmed.');
    expect(page.querySelector('#details')).toBeUndefined();

    tap(page, '#view-order');
    await waitFor('details', () => page.querySelector('#details'));
    expect(textOf(page, '#details').replace(/\s+/g, ' ')).toContain('西湖龙井茶 ×1');
    expect(textOf(page, '#view-order')).toBe('Hide order');

    tap(page, '#back-to-shop');
    await waitFor('reLaunch', () =>
      phone.wx.emulator.navigations.find((n) => n.kind === 'reLaunch'),
    );
    expect(phone.wx.emulator.navigations.at(-1)).toEqual({
      kind: 'reLaunch',
      url: '/pages/order-confirm/index',
    });
  }, 30_000);

  it('a refunded payment still shows paid, and says how much came back', async () => {
    const phone = env.pickUp({ user: 'result-refund', cashierOutcome: 'success' });
    const confirm = phone.open('order-confirm', { items: 'CUP-CLAY-01:1' });
    await waitForPhase(confirm, 'ready');
    const orderNo = orderNoOf(confirm);
    tapPayButton(payButtonOf(confirm));
    await waitForPhase((await phone.followRedirect()).page, 'paid');

    const refund = await httpRequest({
      method: 'POST',
      url: `${env.stack.serverUrl}/api/orders/${orderNo}/refund`,
      headers: {
        authorization: `Bearer ${env.stack.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ amount: 1000, reason: 'chipped cup' }),
      timeoutMs: 10_000,
    });
    expect(refund.statusCode).toBe(200);
    const refunded = async () => {
      const [row] = await env.stack.sql<{ refunded: number }>(
        'SELECT refunded FROM orders WHERE order_no = ?',
        orderNo,
      );
      return (row?.refunded ?? 0) > 0 || undefined;
    };
    await waitFor('the refund to settle', refunded);

    const page = phone.open('pay-result', { orderNo, outcome: 'unknown' });
    await waitForPhase(page, 'paid');
    expect(textOf(page, '#title')).toBe('Payment successful');
    expect(textOf(page, '#hint')).toBe('¥10.00 of this payment has been refunded.');
    expect(textOf(page, '#amount')).toBe('¥47.00');
  }, 30_000);

  it('unpaid after a cancel: one read, then "Pay again" reopens the same order', async () => {
    const phone = env.pickUp({ user: 'result-unpaid' });
    const orderNo = await pendingOrder(phone, 'CUP-CLAY-01:1');
    phone.wx.emulator.resetRoundTrips();
    const page = phone.open('pay-result', { orderNo, outcome: 'cancel' });
    await waitForPhase(page, 'unpaid');
    expect(textOf(page, '#title')).toBe('Not paid yet');
    expect(textOf(page, '#amount')).toBe('¥47.00');
    await new Promise((r) => setTimeout(r, 400));
    expect(phone.wx.emulator.roundTripsByUrl[`GET /api/orders/${orderNo}`]).toBe(1);

    tap(page, '#pay-again');
    const { name, page: confirm } = await phone.followRedirect();
    expect(name).toBe('order-confirm');
    await waitForPhase(confirm, 'ready');
    expect(orderNoOf(confirm)).toBe(orderNo);
  }, 30_000);

  it('a token the server no longer knows is renewed once, transparently', async () => {
    const phone = env.pickUp({ user: 'result-stale-token', cashierOutcome: 'cancel' });
    // A cancelled payment: the order has its payer (this phone's user) and is still pending.
    const confirm = phone.open('order-confirm', { items: 'MUG-ENAMEL:1' });
    await waitForPhase(confirm, 'ready');
    const orderNo = orderNoOf(confirm);
    tapPayButton(payButtonOf(confirm));
    await waitFor('the cancel', () => phone.runner.records[0]?.outcome);
    // Without the order's token (say, a link opened on this phone) the page reads as the payer.
    phone.wx.emulator.storage.delete('shop:order-tokens');
    phone.wx.emulator.storage.set(
      'shop:session',
      JSON.stringify({ token: 'revoked-token', openid: 'x', expiresAtMs: Date.now() + 3600_000 }),
    );
    phone.wx.emulator.resetRoundTrips();
    const page = phone.open('pay-result', { orderNo, outcome: 'cancel' });
    await waitForPhase(page, 'unpaid');
    expect(phone.wx.emulator.roundTripsByUrl).toMatchObject({
      [`GET /api/orders/${orderNo}`]: 2,
      'POST /api/session': 1,
      'POST /sandbox/login-code': 1,
    });
    const stored = JSON.parse(phone.wx.emulator.storage.get('shop:session') ?? '{}') as {
      token?: string;
      openid?: string;
    };
    expect(stored.token).not.toBe('revoked-token');
    expect(stored.openid).toBe(phone.wx.emulator.openid);
  }, 30_000);

  it('confirming runs out into "still confirming" after a bounded number of reads', async () => {
    const phone = env.pickUp({ user: 'result-confirming' });
    // The client claims success, but nothing was paid: the server keeps saying pending.
    const orderNo = await pendingOrder(phone, 'MUG-ENAMEL:3');
    phone.wx.emulator.resetRoundTrips();
    const page = phone.open('pay-result', { orderNo, outcome: 'success' });
    await waitFor(
      'confirming',
      () => page.data.phase === 'confirming' || page.data.phase === 'loading',
    );
    expect(textOf(page, '#state-confirming')).toContain('Confirming payment…');
    await waitForPhase(page, 'still-confirming');
    expect(textOf(page, '#title')).toBe('Still confirming');
    expect(phone.wx.emulator.roundTripsByUrl[`GET /api/orders/${orderNo}`]).toBe(
      1 + pollPolicy.delaysMs.length,
    );

    tap(page, '#refresh');
    const rounds = 1 + pollPolicy.delaysMs.length;
    const reads = () => phone.wx.emulator.roundTripsByUrl[`GET /api/orders/${orderNo}`] ?? 0;
    await waitFor('a second full round', () => reads() === 2 * rounds || undefined);
    await waitForPhase(page, 'still-confirming');
    await new Promise((r) => setTimeout(r, 300));
    expect(reads()).toBe(2 * rounds);
  }, 30_000);

  it('leaving the page stops polling', async () => {
    const phone = env.pickUp({ user: 'result-leave' });
    const orderNo = await pendingOrder(phone, 'TEA-LJ-250:2');
    phone.wx.emulator.resetRoundTrips();
    const page = phone.open('pay-result', { orderNo, outcome: 'success' });
    const reads = () => phone.wx.emulator.roundTripsByUrl[`GET /api/orders/${orderNo}`] ?? 0;
    await waitFor('the second read', () => reads() >= 2 || undefined);
    closePage(page);
    const atLeave = reads();
    await new Promise((r) => setTimeout(r, 600));
    expect(reads()).toBe(atLeave);
    expect(reads()).toBeLessThan(1 + pollPolicy.delaysMs.length);
    phone.page = undefined;
  }, 30_000);
});
