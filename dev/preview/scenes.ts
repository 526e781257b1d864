/**
 * Every state worth a picture, each reached the way a shopper reaches it: the built pages in
 * miniprogram-simulate, a phone from the WeChat emulator, the real server and sandbox behind
 * them. Nothing is faked into a page's data: a state that needs an expired order gets one from
 * a server whose orders live two seconds. Our cashier mini program (dist/cashier) is put on the
 * same phone and opened half screen by the shop, as WeChat would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { CASHIER_HOME, installCashier } from '../cashier-app';
import type { CashierOnPhone } from '../cashier-app';
import { DIST, ROOT } from '../dist';
import { loadFromTree } from '../simulate-load';
import { tapPayButton } from '../emulator/navigator';
import type { Page, PageName } from '../pages-harness';
import { orderNoOf, payButtonOf, waitFor, waitForPhase } from '../pages-harness';
import { pickUpPhone } from '../phone';
import type { Phone } from '../phone';
import type { Stack } from '../stack';
import { bodyOf } from './document';
import type { AppRoot } from './document';

export type Language = 'zh' | 'en';

export interface Shot {
  /** The built app the page belongs to (default the shop's, miniprogram). */
  app?: AppRoot;
  /** Shown in WeChat's half-screen sheet (the cashier opened embedded). */
  halfScreen?: boolean;
  /** The page folder whose window settings (title bar colours) apply. */
  page: PageName | 'pay';
  title: string;
  body: string;
}

export interface SceneContext {
  stack: Stack;
  /** A stack whose orders expire after SHORT_TTL_SECONDS, for the expired states. */
  shortLived: Stack;
  ids: Record<PageName, string>;
  /** The cashier's page (loadCashierPage('dist')). */
  cashierPage: string;
  language: Language;
  /** A user of its own per scene: orders and sessions never leak between pictures. */
  user: string;
}

export interface Scene {
  name: string;
  caption: string;
  capture(ctx: SceneContext): Promise<Shot>;
}

const CART = 'TEA-LJ-250:2,CUP-CLAY-01:1';

/** Order lifetime on the short-lived stack: an order placed there is expired a moment later. */
export const SHORT_TTL_SECONDS = 2;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** An order number no order has: the server answers NOT_FOUND. */
const UNKNOWN_ORDER = 'WP20260101ZZZZZZZZ';

/** The result page's poll delays live in its built module, shared by every page instance. */
function pollPolicy(): { delaysMs: number[] } {
  const file = path.join(ROOT, 'dist', 'miniprogram', 'lib', 'order-status.js');
  const load = createRequire(file);
  return (load(file) as { pollPolicy: { delaysMs: number[] } }).pollPolicy;
}

function phoneFor(ctx: SceneContext, extra: Partial<Parameters<typeof pickUpPhone>[0]> = {}) {
  return pickUpPhone(
    {
      serverUrl: ctx.stack.serverUrl,
      sandboxUrl: ctx.stack.sandboxUrl,
      user: ctx.user,
      language: ctx.language === 'zh' ? 'zh_CN' : 'en_US',
      ...extra,
    },
    ctx.ids,
  ).use();
}

function shotOf(phone: Phone, name: PageName, page: Page): Shot {
  const titles = phone.wx.emulator.titles;
  return { page: name, title: titles[titles.length - 1] ?? '', body: bodyOf(page.dom) };
}

/** Runs `body` with a phone and always puts it down. */
async function withPhone(
  ctx: SceneContext,
  extra: Partial<Parameters<typeof pickUpPhone>[0]>,
  body: (phone: Phone) => Promise<Shot>,
): Promise<Shot> {
  const phone = phoneFor(ctx, extra);
  try {
    return await body(phone);
  } finally {
    phone.put();
  }
}

/** A pending order of this phone's user, placed through the confirmation page. */
async function placeOrder(phone: Phone): Promise<string> {
  const confirm = phone.open('order-confirm', { items: CART });
  await waitForPhase(confirm, 'ready');
  return orderNoOf(confirm);
}

async function resultOf(phone: Phone, query: Record<string, string>, phase: string): Promise<Shot> {
  const result = phone.open('pay-result', query);
  await waitForPhase(result, phase, 15_000);
  return shotOf(phone, 'pay-result', result);
}

/**
 * Runs `body` with a phone whose shop may open our cashier half screen (approved in its
 * embeddedAppIdList), and always puts both down.
 */
async function withCashier(
  ctx: SceneContext,
  body: (phone: Phone, cashier: CashierOnPhone) => Promise<Shot>,
): Promise<Shot> {
  return withPhone(ctx, {}, async (phone) => {
    const appId = ctx.stack.sandbox.credentials.cashierApp.appId;
    phone.wx.emulator.embeddedAppIds.push(appId);
    const cashier = installCashier(
      phone.wx,
      { appId, serverUrl: ctx.stack.serverUrl },
      ctx.cashierPage,
    );
    try {
      return await body(phone, cashier);
    } finally {
      cashier.put();
    }
  });
}

/** Places an order through the shop's confirmation page and opens the cashier for it. */
async function openCashier(phone: Phone, cashier: CashierOnPhone): Promise<Page> {
  const confirm = phone.open('order-confirm', { items: CART });
  await waitForPhase(confirm, 'ready');
  const orderNo = orderNoOf(confirm);
  const { orderToken } = confirm.data.paymentArgs as { orderToken: string };
  phone.wx.emulator.tap(() =>
    phone.wx.openEmbeddedMiniProgram({
      appId: cashier.appId,
      path: `${CASHIER_HOME}?orderNo=${orderNo}`,
      extraData: { orderNo, orderToken },
      envVersion: 'release',
    }),
  );
  const page = await waitFor('the cashier to open', () => cashier.page);
  await waitForPhase(page, 'ready', 15_000);
  if (page.data.embedded !== true) throw new Error('the cashier did not open half screen');
  return page;
}

function cashierShot(cashier: CashierOnPhone, page: Page): Shot {
  const titles = cashier.wx?.emulator.titles ?? [];
  return {
    app: 'cashier',
    halfScreen: page.data.embedded === true,
    page: 'pay',
    title: titles[titles.length - 1] ?? '',
    body: bodyOf(page.dom),
  };
}

function onShortLived(ctx: SceneContext) {
  return { serverUrl: ctx.shortLived.serverUrl, sandboxUrl: ctx.shortLived.sandboxUrl };
}

/** A port nobody listens on: the shop's server is unreachable. */
const DEAD_SERVER = 'http://127.0.0.1:9';

export const SCENES: Scene[] = [
  {
    name: 'confirm-loading',
    caption: 'Order page, loading',
    capture: (ctx) =>
      withPhone(ctx, {}, async (phone) => {
        const page = phone.open('order-confirm', { items: CART });
        // Captured before the server's first answer arrives.
        const shot = shotOf(phone, 'order-confirm', page);
        await waitForPhase(page, 'ready');
        return shot;
      }),
  },
  {
    name: 'confirm-ready',
    caption: 'Order page, ready to pay',
    capture: (ctx) =>
      withPhone(ctx, {}, async (phone) => {
        const page = phone.open('order-confirm', { items: CART });
        await waitForPhase(page, 'ready');
        return shotOf(phone, 'order-confirm', page);
      }),
  },
  {
    name: 'confirm-error',
    caption: 'Order page, the shop unreachable',
    capture: (ctx) =>
      withPhone(ctx, { shopApiUrl: DEAD_SERVER }, async (phone) => {
        const page = phone.open('order-confirm', { items: CART });
        await waitForPhase(page, 'error', 15_000);
        return shotOf(phone, 'order-confirm', page);
      }),
  },
  {
    name: 'buttons',
    caption: 'pay-button: ready, busy, disabled, invalid fee',
    capture: (ctx) =>
      withPhone(ctx, {}, async (phone) => {
        // WeChat's payment page never answers here, so a tapped button stays busy.
        phone.pluginWx.requestPluginPayment = () => undefined;
        return buttonSheet();
      }),
  },
  {
    name: 'result-confirming',
    caption: 'Result page, confirming with WeChat Pay',
    capture: (ctx) =>
      withPhone(ctx, {}, async (phone) => {
        const orderNo = await placeOrder(phone);
        return resultOf(phone, { orderNo, outcome: 'success' }, 'confirming');
      }),
  },
  {
    name: 'result-paid',
    caption: 'Result page, paid',
    capture: (ctx) =>
      withPhone(ctx, {}, async (phone) => {
        const confirm = phone.open('order-confirm', { items: CART });
        await waitForPhase(confirm, 'ready');
        tapPayButton(payButtonOf(confirm));
        const { page } = await phone.followRedirect(15_000);
        await waitForPhase(page, 'paid', 15_000);
        return shotOf(phone, 'pay-result', page);
      }),
  },
  {
    name: 'result-unpaid',
    caption: 'Result page, payment cancelled',
    capture: (ctx) =>
      withPhone(ctx, {}, async (phone) => {
        const orderNo = await placeOrder(phone);
        return resultOf(phone, { orderNo, outcome: 'cancel' }, 'unpaid');
      }),
  },
  {
    name: 'result-still-confirming',
    caption: 'Result page, WeChat Pay has not confirmed yet',
    capture: (ctx) =>
      withPhone(ctx, {}, async (phone) => {
        const orderNo = await placeOrder(phone);
        const policy = pollPolicy();
        const delays = policy.delaysMs;
        // No follow-up reads: the first pending answer is the last.
        policy.delaysMs = [];
        try {
          return await resultOf(phone, { orderNo, outcome: 'success' }, 'still-confirming');
        } finally {
          policy.delaysMs = delays;
        }
      }),
  },
  {
    name: 'result-error',
    caption: 'Result page, an order that does not exist',
    capture: (ctx) =>
      withPhone(ctx, {}, (phone) => resultOf(phone, { orderNo: UNKNOWN_ORDER }, 'error')),
  },
  {
    name: 'confirm-expired',
    caption: 'Order page, expired',
    capture: (ctx) =>
      withPhone(ctx, onShortLived(ctx), async (phone) => {
        const page = phone.open('order-confirm', { items: CART });
        // The page's own countdown runs out while it is on screen.
        await waitFor('the expired order', () => page.data.expired === true, 15_000);
        return shotOf(phone, 'order-confirm', page);
      }),
  },
  {
    name: 'result-expired',
    caption: 'Result page, order closed',
    capture: (ctx) =>
      withPhone(ctx, onShortLived(ctx), async (phone) => {
        const orderNo = await placeOrder(phone);
        await wait((SHORT_TTL_SECONDS + 1) * 1000);
        return resultOf(phone, { orderNo, outcome: 'unknown' }, 'expired');
      }),
  },
  {
    name: 'cashier-ready',
    caption: 'Cashier mini program, opened half screen for an order',
    capture: (ctx) =>
      withCashier(ctx, async (phone, cashier) => {
        const page = await openCashier(phone, cashier);
        return cashierShot(cashier, page);
      }),
  },
  {
    name: 'cashier-paid',
    caption: 'Cashier mini program, paid',
    capture: (ctx) =>
      withCashier(ctx, async (phone, cashier) => {
        const page = await openCashier(phone, cashier);
        cashier.tapPay();
        await waitForPhase(page, 'paid', 15_000);
        return cashierShot(cashier, page);
      }),
  },
];

let sheetId: string | undefined;

/** The sheet's host page: five pay-buttons as a host embeds them (captions are the preview's). */
const SHEET_WXML = `
<view style="padding: 12px 16px 40px;">
  <view style="margin-top: 16px;">
    <view style="margin-bottom: 6px; font-size: 13px; color: var(--color-muted);">ready</view>
    <pay-button id="ready" fee="{{28500}}" payment-args="{{args}}" />
  </view>
  <view style="margin-top: 16px;">
    <view style="margin-bottom: 6px; font-size: 13px; color: var(--color-muted);">busy (payment in progress)</view>
    <pay-button id="busy" fee="{{28500}}" payment-args="{{args}}" />
  </view>
  <view style="margin-top: 16px;">
    <view style="margin-bottom: 6px; font-size: 13px; color: var(--color-muted);">disabled</view>
    <pay-button id="disabled" fee="{{28500}}" payment-args="{{args}}" disabled="{{true}}" />
  </view>
  <view style="margin-top: 16px;">
    <view style="margin-bottom: 6px; font-size: 13px; color: var(--color-muted);">invalid fee (the string “285.00”)</view>
    <pay-button id="invalid" fee="285.00" payment-args="{{args}}" />
  </view>
  <view style="margin-top: 16px;">
    <view style="margin-bottom: 6px; font-size: 13px; color: var(--color-muted);">label “立即支付”</view>
    <pay-button id="custom" fee="{{990}}" payment-args="{{args}}" label="立即支付" />
  </view>
</view>`;

const SHEET_DATA = { args: { orderNo: 'WP20261203PREVIEW0' } };

/** Inside dist/: simulate compiles WXML relative to the root it was given. */
/** The sheet's page, inside dist/ (the tree the shop's pages are loaded from). */
const SHEET_PAGE = 'preview-sheet/index';
const SHEET_DIR = path.dirname(path.join(DIST, SHEET_PAGE));

/**
 * Writes the sheet's files. Before the first page is loaded: simulate's WXML compiler reads
 * the whole root once, so a file written later is not found.
 */
export function writeButtonSheet(): void {
  mkdirSync(SHEET_DIR, { recursive: true });
  writeFileSync(path.join(SHEET_DIR, 'index.wxml'), SHEET_WXML);
  writeFileSync(path.join(SHEET_DIR, 'index.wxss'), '');
  const json = { component: true, usingComponents: { 'pay-button': 'plugin://pay/pay-button' } };
  writeFileSync(path.join(SHEET_DIR, 'index.json'), JSON.stringify(json));
  writeFileSync(
    path.join(SHEET_DIR, 'index.js'),
    `Component({ data: ${JSON.stringify(SHEET_DATA)} });`,
  );
}

/**
 * The pay-button in each state on one host page, loaded like the shop's pages (same root, same
 * plugin component from dist/plugin, so the same compiled WXSS applies).
 */
async function buttonSheet(): Promise<Shot> {
  if (!sheetId) {
    sheetId = loadFromTree('dist', SHEET_PAGE, {
      usingComponents: { 'pay-button': '/plugin/components/pay-button/index' },
    });
  }
  const host = simulate.render(sheetId) as unknown as Page;
  host.attach(document.createElement('parent-wrapper'));
  const busy = host.querySelector('#busy');
  if (!busy) throw new Error('the sheet has no busy button');
  tapPayButton(busy as unknown as Parameters<typeof tapPayButton>[0]);
  await waitFor('the busy button', () => busy.data.state === 'busy', 5000);
  return { page: 'order-confirm', title: 'pay-button', body: host.dom?.outerHTML ?? '' };
}
