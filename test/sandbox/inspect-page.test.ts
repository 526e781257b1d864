/**
 * GET /sandbox in a real headless Chromium at 1280 px: it fits, it shows cashier calls and every
 * notification attempt with the merchant's answer, and it refreshes in place (pausable).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createAndPay, getJson, jsapiBody, postJson, useSandbox } from './support';

jest.setTimeout(30_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 800 };
/** What the merchant answers the first delivery: markup and Chinese, to be shown as text. */
const REFUSAL = '{"code":"FAIL","message":"库存服务繁忙 <retry later> & again"}';

const env = useSandbox({ user: 'inspector' });
let launching: Promise<Browser> | undefined;
let browser: Browser | undefined;
let merchant: Server | undefined;
let notifyUrl = '';
let deliveries = 0;

interface AttemptView {
  n: number;
  status?: number;
}
interface NotificationView {
  outTradeNo: string;
  state: string;
  attempts: AttemptView[];
}

async function notifications(): Promise<NotificationView[]> {
  return (await getJson(`${env.sandbox.url}/sandbox/notifications`))
    .notifications as NotificationView[];
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An order nobody pays yet: its out_trade_no and requestPayment arguments. */
async function newOrder(): Promise<{ no: string; args: object }> {
  const body = jsapiBody(env.sandbox, env.openid, notifyUrl);
  const r = await env.client.call('POST', '/v3/pay/transactions/jsapi', body);
  expect(r.status).toBe(200);
  return {
    no: body.out_trade_no as string,
    args: env.client.requestPaymentArgs(r.json?.prepay_id as string),
  };
}

/** A page of its own, collecting every console error and uncaught exception. */
async function openPage(
  problems: string[],
  options: { fakeClock?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  if (browser === undefined) throw new Error('no browser');
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  if (options.fakeClock) await page.clock.install();
  await page.goto(`${env.sandbox.url}/sandbox`);
  return { context, page };
}

const dataText = (page: Page): Promise<string> =>
  page.evaluate(() => document.getElementById('data')?.textContent ?? '');

let cancelled = '';
let refusedThenPaid = '';
const AGGREGATOR_ORDER = 'WPAGGREGATORPAGE1';

beforeAll(async () => {
  // Chromium starts while the sandbox is driven; afterAll closes it even if set-up fails.
  launching = chromium.launch({ executablePath: CHROMIUM });
  launching.catch(() => undefined);
  // The merchant's notify endpoint: refuses the first delivery with a body, then acknowledges.
  merchant = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      deliveries += 1;
      if (deliveries === 1) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(REFUSAL);
      } else {
        res.writeHead(204);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => merchant?.listen(0, '127.0.0.1', resolve));
  notifyUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}/pay/notify`;

  const order = await newOrder();
  cancelled = order.no;
  const r = await postJson(`${env.sandbox.url}/sandbox/cashier/pay`, {
    openid: env.openid,
    outcome: 'cancel',
    requestPaymentArgs: order.args,
  });
  expect(r.json.errMsg).toBe('requestPayment:fail cancel');

  refusedThenPaid = (await createAndPay(env.client, env.openid, notifyUrl)).outTradeNo;
  await until(async () =>
    (await notifications()).some(
      (n) => n.outTradeNo === refusedThenPaid && n.state === 'delivered',
    ),
  );
  // A jump-out payment at the aggregator's cashier (its notify_url answers nothing).
  const c = env.sandbox.credentials;
  const extra: Record<string, string> = {
    mchid: c.aggregatorMchId,
    total_fee: '100',
    out_trade_no: AGGREGATOR_ORDER,
    body: 'tea',
    notify_url: 'http://127.0.0.1:1/api/aggregator/notify',
    nonce: 'abcdefghijklmnop',
  };
  const text = Object.keys(extra)
    .sort()
    .map((k) => `${k}=${extra[k]}`)
    .join('&');
  extra.sign = createHash('md5')
    .update(`${text}&key=${c.aggregatorKey}`)
    .digest('hex')
    .toUpperCase();
  const jump = await postJson(`${env.sandbox.url}/sandbox/aggregator/cashier`, {
    appId: c.aggregatorAppId,
    outcome: 'success',
    extraData: extra,
  });
  expect(jump.json.result).toBe('paid');
  browser = await launching;
});

afterAll(async () => {
  await launching?.then(
    (b) => b.close(),
    () => undefined,
  );
  merchant?.closeAllConnections();
  await new Promise<void>((resolve) => (merchant ? merchant.close(() => resolve()) : resolve()));
});

describe('inspection page in Chromium at 1280 px', () => {
  test('fits the width, shows the cancel, the refusal body and every attempt, logs no errors', async () => {
    const problems: string[] = [];
    const { context, page } = await openPage(problems);
    try {
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        VIEWPORT.width,
      );

      // The cancel: a cashier-call row under its order, saying who and when.
      const cancelRow = page
        .locator('tr.order', { hasText: cancelled })
        .locator('xpath=following-sibling::tr[1]');
      await expect(cancelRow.getAttribute('class')).resolves.toBe('order-cashier');
      const cancelEvent = cancelRow.locator('tr.cashier-event');
      await expect(cancelEvent.count()).resolves.toBe(1);
      expect(await cancelEvent.locator('.outcome').innerText()).toBe('cancelled');
      expect(await cancelEvent.getByText('requestPayment:fail cancel').isVisible()).toBe(true);
      expect(await cancelEvent.locator(`code[title="${env.openid}"]`).isVisible()).toBe(true);
      expect(await cancelEvent.locator('time').getAttribute('datetime')).toMatch(/\+08:00$/);

      // Every delivery attempt of the paid order, the refusal with the merchant's body as text.
      const [n] = (await notifications()).filter((x) => x.outTradeNo === refusedThenPaid);
      expect(n?.attempts.map((a) => a.status)).toEqual([500, 204]);
      const attempts = page
        .locator('tr.notification', { hasText: refusedThenPaid })
        .locator('xpath=following-sibling::tr[1]')
        .locator('tr.attempt');
      await expect(attempts.count()).resolves.toBe(n?.attempts.length);
      expect(await attempts.nth(0).innerText()).toContain('HTTP 500');
      const body = attempts.nth(0).locator('pre.body');
      expect(await body.isVisible()).toBe(true);
      expect(await body.innerText()).toBe(REFUSAL);
      expect(await attempts.nth(1).innerText()).toMatch(/HTTP 204\s+acknowledged/);
      // Escaped, not parsed: no <retry> element came out of the merchant's answer.
      expect(await page.locator('retry').count()).toBe(0);

      // Long ids are cut to fit, yet whole in the DOM and the tooltip.
      const order = (await getJson(`${env.sandbox.url}/sandbox/orders/${refusedThenPaid}`)) as {
        transactionId: string;
      };
      const txn = page.locator(`tr.order code[title="${order.transactionId}"]`);
      expect(await txn.textContent()).toBe(order.transactionId);
      expect(await txn.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
      expect(await txn.evaluate((el) => getComputedStyle(el).textOverflow)).toBe('ellipsis');
      // Timestamps never break across lines.
      const wrapped = await page
        .locator('#data time')
        .evaluateAll((els) => els.filter((el) => el.getClientRects().length !== 1).length);
      expect(wrapped).toBe(0);
      // The aggregator's section: the jump-out cashier call and its notification.
      const call = page.locator('tr.aggregator-call', { hasText: AGGREGATOR_ORDER });
      expect(await call.locator('.outcome').innerText()).toBe('paid');
      await expect(
        page.locator('tr.aggregator-notification', { hasText: AGGREGATOR_ORDER }).count(),
      ).resolves.toBe(1);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('the copy button puts the whole id on the clipboard', async () => {
    const problems: string[] = [];
    const { context, page } = await openPage(problems);
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      const order = (await getJson(`${env.sandbox.url}/sandbox/orders/${refusedThenPaid}`)) as {
        transactionId: string;
      };
      const cell = page.locator('tr.order .id', {
        has: page.locator(`code[title="${order.transactionId}"]`),
      });
      await cell.hover();
      await cell.locator('button.copy').click();
      // writeText settles asynchronously; the button says so for a moment.
      await cell.locator('button.copy', { hasText: 'copied' }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(order.transactionId);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('refreshes the data in place every 5 s, without a navigation', async () => {
    const problems: string[] = [];
    const { context, page } = await openPage(problems, { fakeClock: true });
    try {
      await page.evaluate(() => {
        (window as unknown as { marker: number }).marker = 42;
      });
      const { no } = await newOrder();
      await page.clock.runFor(4_000);
      await page.waitForTimeout(200);
      expect(await dataText(page)).not.toContain(no);
      await page.clock.runFor(1_000);
      await page.waitForFunction(
        (n) => document.getElementById('data')?.textContent?.includes(n) === true,
        no,
      );
      // Still the same document: a reload would have dropped the marker. (The fake clock also
      // fakes `performance`, so its navigation entries say nothing here.)
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
      expect(await page.locator('#refresh-status').innerText()).toMatch(/^updated /);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('the pause switch stops refreshes and survives a reload (localStorage)', async () => {
    const problems: string[] = [];
    const { context, page } = await openPage(problems, { fakeClock: true });
    try {
      const pause = page.getByLabel('Pause auto-refresh');
      expect(await pause.isChecked()).toBe(false);
      await pause.check();
      expect(await page.evaluate(() => localStorage.getItem('wechat-sandbox.inspect.paused'))).toBe(
        '1',
      );

      await page.reload();
      expect(await pause.isChecked()).toBe(true);
      expect(await page.locator('#refresh-status').innerText()).toBe('paused');
      const { no } = await newOrder();
      await page.clock.runFor(11_000);
      // Give a refresh that should not have happened the time to land.
      await page.waitForTimeout(200);
      expect(await dataText(page)).not.toContain(no);

      // Unpausing refreshes at once.
      await pause.uncheck();
      await page.waitForFunction(
        (n) => document.getElementById('data')?.textContent?.includes(n) === true,
        no,
      );
      expect(
        await page.evaluate(() => localStorage.getItem('wechat-sandbox.inspect.paused')),
      ).toBeNull();
      await page.reload();
      expect(await pause.isChecked()).toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('a refresh is skipped while text in the data section is selected', async () => {
    const problems: string[] = [];
    const { context, page } = await openPage(problems, { fakeClock: true });
    try {
      await page.evaluate(() => {
        const target = document.querySelector('#data tr.order code');
        const range = document.createRange();
        if (target) range.selectNodeContents(target);
        window.getSelection()?.addRange(range);
      });
      const { no } = await newOrder();
      await page.clock.runFor(5_000);
      await expect(page.locator('#refresh-status').innerText()).resolves.toBe(
        'refresh skipped: text selected',
      );
      expect(await dataText(page)).not.toContain(no);

      await page.evaluate(() => window.getSelection()?.removeAllRanges());
      await page.clock.runFor(5_000);
      await page.waitForFunction(
        (n) => document.getElementById('data')?.textContent?.includes(n) === true,
        no,
      );
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('inspection page without a browser', () => {
  test('the fragment is the data section alone, uncached; the page works without scripts', async () => {
    const page = await fetch(`${env.sandbox.url}/sandbox`);
    const fragment = await fetch(`${env.sandbox.url}/sandbox/fragment`);
    expect(fragment.status).toBe(200);
    expect(fragment.headers.get('content-type')).toMatch(/^text\/html/);
    expect(fragment.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    const inner = await fragment.text();
    expect(inner).not.toMatch(/<html|<script|<head/i);
    expect(inner).toContain(cancelled);
    // Server-rendered: the first load already holds the data, and no meta refresh reloads it.
    expect(html).toContain(cancelled);
    expect(html).toContain('requestPayment:fail cancel');
    expect(html).toContain('库存服务繁忙 &#60;retry later&#62; &#38; again');
    expect(html).not.toMatch(/http-equiv="refresh"/i);
    // Each order says which API placed it; each notification its format.
    expect(html).toContain('<span class="scheme" title="">v3</span>');
    expect(html).toContain('<td class="format">JSON</td>');
  });
});
