/**
 * The order confirmation page against the real server (and sandbox), state by state: ready with
 * everything it shows, the remark, idempotent creation across a lost answer, reopening, and the
 * error state with retry.
 */
import { createServer } from 'node:net';
import simulate from 'miniprogram-simulate';
import type { AddressInfo } from 'node:net';
import type { CatalogResponse } from '../../typings';
import { httpRequest } from '../../dev/emulator/http';
import { tapPayButton } from '../../dev/emulator/navigator';
import { startFlakyNetwork } from '../e2e/flaky-network';
import { usePhoneStack } from '../e2e/phone-stack';
import type { OrderRow } from '../e2e/shop-types';
import {
  orderNoOf,
  payButtonOf,
  tap,
  textOf,
  waitFor,
  waitForPhase,
} from '../../dev/pages-harness';
import type { Page } from '../../dev/pages-harness';

const env = usePhoneStack({ language: 'en_US' });

/** Events reach handlers asynchronously in simulate, as on a phone. */
async function input(page: Page, value: string): Promise<void> {
  const field = page.querySelector('#remark');
  if (!field) throw new Error('no remark field');
  field.dispatchEvent('input', { detail: { value } });
  await simulate.sleep(0);
}

async function commit(page: Page): Promise<void> {
  page.querySelector('#remark')?.dispatchEvent('blur', { detail: { value: page.data.remark } });
  await simulate.sleep(0);
}

/** A loopback port nobody listens on: the server is down. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('order-confirm', () => {
  it('ready: items, breakdown, countdown, bottom bar and the pay-button from the server', async () => {
    const phone = env.pickUp({ user: 'page-ready' });
    const page = phone.open('order-confirm', { items: 'MUG-ENAMEL:2' });
    expect(page.data.phase).toBe('loading');
    await waitForPhase(page, 'ready');

    const lines = page.querySelectorAll('.line');
    expect(lines).toHaveLength(1);
    const texts = Array.from(lines[0]?.dom?.querySelectorAll('wx-text') ?? []).map(
      (t) => t.textContent,
    );
    expect(texts).toEqual(['搪瓷杯', '350 毫升，白色', '¥25.00', '×2']);
    expect(textOf(page, '#goods')).toBe('¥50.00');
    expect(textOf(page, '#shipping')).toBe('¥8.00');
    expect(page.querySelector('#discount')).toBeUndefined();
    expect(textOf(page, '#due')).toBe('¥58.00');
    expect(textOf(page, '#bar-total')).toBe('¥58.00');
    expect(textOf(page, '#order-no')).toBe(orderNoOf(page));
    expect(textOf(page, '#countdown')).toMatch(/^Pay within (15:00|14:5\d)$/);
    expect(page.data.countdownLabel).toMatch(/^Pay within 1[45] minutes?/);
    expect(textOf(page, '#remark-counter')).toBe('0/200');

    const button = page.querySelector('#pay-button');
    expect(button?.data).toMatchObject({
      fee: 5800,
      paymentArgs: { orderNo: orderNoOf(page) },
      version: 'develop',
      disabled: false,
      state: 'ready',
    });
    // The emulated phone has a 34 px home indicator: the bar and the page make room for it.
    expect(page.data.barStyle).toBe('padding-bottom: calc(var(--space-2) + 34px);');
    expect(page.data.pageStyle).toBe('padding-bottom: calc(var(--bar-height) + 34px);');

    // The countdown moves.
    const before = String(page.data.countdownText);
    await waitFor('a tick', () => page.data.countdownText !== before, 2500);
  }, 30_000);

  it('remark: counter, max length, and a changed remark places the order with it', async () => {
    const phone = env.pickUp({ user: 'page-remark' });
    const page = phone.open('order-confirm', { items: 'CUP-CLAY-01:1' });
    await waitForPhase(page, 'ready');
    const first = orderNoOf(page);

    await input(page, 'x'.repeat(250));
    expect(page.data.remark).toHaveLength(200);
    expect(textOf(page, '#remark-counter')).toBe('200/200');
    await input(page, 'Gift wrap, please');
    expect(textOf(page, '#remark-counter')).toBe('17/200');
    await commit(page);
    await waitFor(
      'the order with the remark',
      () => orderNoOf(page) !== first && !page.data.savingRemark,
    );
    const withRemark = orderNoOf(page);
    const [row] = await env.stack.sql<OrderRow>(
      'SELECT * FROM orders WHERE order_no = ?',
      withRemark,
    );
    expect(row).toMatchObject({ remark: 'Gift wrap, please', status: 'pending' });
    expect(page.querySelector('#pay-button')?.data.paymentArgs).toEqual({
      orderNo: withRemark,
      orderToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });

    // The same remark again changes nothing; going back to none returns the first order.
    await commit(page);
    await new Promise((r) => setTimeout(r, 100));
    expect(orderNoOf(page)).toBe(withRemark);
    await input(page, '');
    await commit(page);
    await waitFor('the first order again', () => orderNoOf(page) === first);
  }, 30_000);

  it('remark limit: the page obeys what GET /api/catalog says, and the server enforces it', async () => {
    const catalog = await httpRequest({
      method: 'GET',
      url: `${env.stack.serverUrl}/api/catalog`,
      timeoutMs: 10_000,
    });
    expect((JSON.parse(catalog.body) as CatalogResponse).limits.remarkMaxLength).toBe(200);
    const post = (remark: string) =>
      httpRequest({
        method: 'POST',
        url: `${env.stack.serverUrl}/api/orders`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ sku: 'CUP-CLAY-01', quantity: 1 }], remark }),
        timeoutMs: 10_000,
      });
    expect((await post('y'.repeat(200))).statusCode).toBe(201);
    expect((await post('y'.repeat(201))).statusCode).toBe(400);

    const phone = env.pickUp({ user: 'page-remark-limit' });
    const page = phone.open('order-confirm', { items: 'CUP-CLAY-01:1' });
    await waitForPhase(page, 'ready');
    expect(page.data.remarkMax).toBe(200);
    expect(textOf(page, '#remark-counter')).toBe('0/200');
    await input(page, 'z'.repeat(201));
    await commit(page);
    await waitFor('the order with the longest remark', () => !page.data.savingRemark);
    await waitFor('saved', () => (page.data.view as { remark: string }).remark.length === 200);
  }, 30_000);

  it('a lost answer to POST /api/orders: error, retry, and the same order comes back', async () => {
    let losses = 1;
    const network = await startFlakyNetwork(env.stack.serverUrl, (method, path) => {
      if (method !== 'POST' || path !== '/api/orders' || losses === 0) return false;
      losses -= 1;
      return true;
    });
    try {
      const phone = env.pickUp({ shopApiUrl: network.url, user: 'page-flaky' });
      const page = phone.open('order-confirm', { items: 'TEA-LJ-250:3' });
      await waitForPhase(page, 'error');
      expect(network.lost).toEqual(['POST /api/orders']);
      expect(textOf(page, '#error-text')).toBe(
        'Cannot reach the shop. Check your connection and try again.',
      );
      // The server did create it.
      const created = await env.stack.sql<OrderRow>('SELECT * FROM orders WHERE total = 37400');
      expect(created).toHaveLength(1);

      tap(page, '#retry');
      await waitForPhase(page, 'ready');
      expect(orderNoOf(page)).toBe(created[0]?.order_no);
      expect(await env.stack.sql('SELECT order_no FROM orders WHERE total = 37400')).toHaveLength(
        1,
      );

      // Reopening the page for the same cart is the same order too.
      const again = phone.open('order-confirm', { items: 'TEA-LJ-250:3' });
      await waitForPhase(again, 'ready');
      expect(orderNoOf(again)).toBe(created[0]?.order_no);
    } finally {
      await network.close();
    }
  }, 30_000);

  it('a paid cart bought again is a new order', async () => {
    const phone = env.pickUp({ user: 'page-again', cashierOutcome: 'success' });
    const page = phone.open('order-confirm', { items: 'SAMPLE-1F:1' });
    await waitForPhase(page, 'ready');
    const first = orderNoOf(page);
    tapPayButton(payButtonOf(page));
    // WeChat shows the page again as the payment UI closes; its re-read finds the order paid
    // while the pay-button's success is redirecting too: one redirect, not two.
    const redirects = () =>
      phone.wx.emulator.navigations.filter((n) => n.kind === 'redirectTo').length;
    await waitFor('the redirect', () => redirects() === 1 || undefined);
    (page.instance as unknown as { onShow(): void }).onShow();
    await new Promise((r) => setTimeout(r, 300));
    expect(redirects()).toBe(1);
    const result = await phone.followRedirect();
    await waitForPhase(result.page, 'paid');

    const next = phone.open('order-confirm', { items: 'SAMPLE-1F:1' });
    await waitForPhase(next, 'ready');
    expect(orderNoOf(next)).not.toBe(first);
    expect(next.data.fee).toBe(801);

    // Reopening the paid order itself goes to its result.
    phone.open('order-confirm', { orderNo: first });
    const redirected = await phone.followRedirect();
    expect(redirected.name).toBe('pay-result');
    await waitForPhase(redirected.page, 'paid');
  }, 30_000);

  it('server down: the error state with a retry that works once it is back', async () => {
    const down = await deadUrl();
    const offline = env.pickUp({ shopApiUrl: down, user: 'page-down' });
    const page = offline.open('order-confirm', { items: 'MUG-ENAMEL:1' });
    await waitForPhase(page, 'error');
    expect(textOf(page, '#error-text')).toBe(
      'Cannot reach the shop. Check your connection and try again.',
    );
    expect(page.querySelector('#pay-button')).toBeUndefined();
    offline.put();

    // With the server reachable the same cart loads.
    const online = env.pickUp({ user: 'page-down' });
    const retried = online.open('order-confirm', { items: 'MUG-ENAMEL:1' });
    await waitForPhase(retried, 'ready');
  }, 30_000);

  it('a stored key the server knows for another body is replaced, not a dead end', async () => {
    const phone = env.pickUp({ user: 'page-conflict' });
    const first = phone.open('order-confirm', { items: 'CUP-CLAY-01:3' });
    await waitForPhase(first, 'ready');
    const storage = phone.wx.emulator.storage;
    const entries = JSON.parse(storage.get('shop:idempotency-keys') ?? '[]') as Array<{
      fingerprint: string;
      key: string;
    }>;
    const used = entries[0]?.key ?? '';
    // The same key now claims to belong to another cart.
    storage.set(
      'shop:idempotency-keys',
      JSON.stringify([{ fingerprint: 'CUP-CLAY-01:4|', key: used }]),
    );
    phone.wx.emulator.resetRoundTrips();
    const other = phone.open('order-confirm', { items: 'CUP-CLAY-01:4' });
    await waitForPhase(other, 'ready');
    expect(orderNoOf(other)).not.toBe(orderNoOf(first));
    expect(other.data.fee).toBe(15600);
    // Refused once (409 IDEMPOTENCY_CONFLICT), then created under a fresh key.
    expect(phone.wx.emulator.roundTripsByUrl['POST /api/orders']).toBe(2);
  }, 30_000);

  it('an unknown order number is a clear error', async () => {
    const phone = env.pickUp({ user: 'page-unknown' });
    const page = phone.open('order-confirm', { orderNo: 'WP20260101NOSUCHORDER' });
    await waitForPhase(page, 'error');
    expect(textOf(page, '#error-text')).toBe('This order does not exist.');
  }, 30_000);
});
