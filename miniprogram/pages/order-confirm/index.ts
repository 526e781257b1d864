/**
 * Order confirmation: creates (or reopens) the server order for a cart, shows what will be
 * charged and hands the server's total to the plugin's pay-button, or, when the server offers
 * it and the shopper picks it, to the merchant's own cashier mini program opened half-screen
 * (half-screen) or to the aggregator's cashier mini program (jump-out). Every way back lands on
 * the same result page, which asks the server. The page never prices anything itself; it only
 * formats the server's fen.
 */
import type {
  CashierAppInfo,
  CatalogProduct,
  CreateOrderItem,
  JumpOutResponse,
  Order,
  PayButtonCancelDetail,
  PayButtonFailDetail,
  PayButtonSuccessDetail,
  PaymentChannel,
} from '../../../typings';
import { FUNCTIONAL_PAGE_VERSION } from '../../build-config';
import type { FetchedOrder } from '../../lib/api';
import {
  createOrder,
  getCatalog,
  getOrder,
  isOrderNo,
  paymentArgsFor,
  startJumpOut,
} from '../../lib/api';
import { openCashier, openOwnCashier } from '../../lib/cashier-jump';
import type { JumpResult } from '../../lib/cashier-jump';
import type { Cart } from '../../lib/cart';
import { checkCartLimits, parseItemsParam } from '../../lib/cart';
import type { Countdown } from '../../lib/countdown';
import { formatMmSs, remainingMs, spokenDuration, startCountdown } from '../../lib/countdown';
import { describeError } from '../../lib/error-text';
import { HttpError, isFinalRefusal } from '../../lib/http';
import type { ShopMessages } from '../../lib/i18n';
import { currentMessages } from '../../lib/i18n';
import { InputError } from '../../lib/input-error';
import { currentShowOptions, isReturnFrom, onAppShows } from '../../lib/jump-return';
import { bottomInsetPx } from '../../lib/layout';
import { queryParam, redirect, resultPageUrl } from '../../lib/navigation';
import { isPayable } from '../../lib/order-status';
import { isChannelConflict, jumpFailureText, paymentFailureText } from '../../lib/payment-errors';
import { cashierOf, markJumpStarted, pendingJumpOf, settleJump } from '../../lib/pending-jumps';
import { pageStateStore } from '../../lib/page-state';
import type { OrderView } from '../../lib/order-view';
import { orderView } from '../../lib/order-view';

type Phase = 'loading' | 'empty' | 'error' | 'ready';

/** How many catalogue products the demo cart takes when no items are passed in. */
const DEMO_CART_SIZE = 2;

interface PageState {
  /** Set when the page was opened for an existing order (`?orderNo=`). */
  orderNo: string;
  /** `?items=` as given; undefined (no parameter) means the demo cart. */
  itemsParam: string | undefined;
  cart: Cart | undefined;
  order: Order | undefined;
  clockOffsetMs: number;
  countdown: Countdown | undefined;
  /** Bumped on every load so an answer to an older request is ignored. */
  generation: number;
  /** The re-read in flight, if any (see `refresh`). */
  rereading: Promise<void> | undefined;
  unloaded: boolean;
  /** The shopper's language, read once on load. */
  m: ShopMessages;
  /**
   * Set once the page redirects: the pay-button's success and an `onShow` re-read that finds the
   * order paid can both want to leave, and WeChat must get one redirect, not two.
   */
  leaving: boolean;
  /** What the server takes (`GET /api/catalog`); the choice shows when there is more than one. */
  channels: PaymentChannel[];
  /** Where the half-screen channel opens the merchant's cashier (with 'half-screen' only). */
  cashierApp: CashierAppInfo | undefined;
  /** The cashier's signed arguments, fetched before the tap that uses them (WeChat's rule). */
  jump: { orderNo: string; params: JumpOutResponse } | undefined;
  /** The order whose arguments are being fetched, if any. */
  preparingFor: string | undefined;
  /** Between wx.navigateToMiniProgram and its callback: a second tap must not jump twice. */
  jumping: boolean;
  /** The order the channel choice was last set up for (a new order starts from its own). */
  channelFor: string;
  stopAppShows: () => void;
}

const stateOf = pageStateStore<PageState>(() => ({
  orderNo: '',
  itemsParam: undefined,
  cart: undefined,
  order: undefined,
  clockOffsetMs: 0,
  countdown: undefined,
  generation: 0,
  rereading: undefined,
  unloaded: false,
  m: currentMessages(),
  leaving: false,
  channels: ['plugin'],
  cashierApp: undefined,
  jump: undefined,
  preparingFor: undefined,
  jumping: false,
  channelFor: '',
  stopAppShows: () => undefined,
}));

/** What the pay-button's `disabled` follows: only a ready, unexpired order not being re-placed. */
interface PayGate {
  phase: Phase;
  expired: boolean;
  savingRemark: boolean;
}

/** What the remark's accessible labels follow. */
interface RemarkCount {
  remarkLength: number;
  remarkMax: number;
}

function payDisabledOf(data: PayGate): boolean {
  return data.phase !== 'ready' || data.expired || data.savingRemark;
}

function leave(state: PageState, url: string): void {
  if (state.leaving) return;
  state.leaving = true;
  state.countdown?.stop();
  redirect(url);
}

function demoCart(products: readonly CatalogProduct[]): CreateOrderItem[] {
  return products.slice(0, DEMO_CART_SIZE).map((p) => ({ sku: p.sku, quantity: 1 }));
}

function cartOf(order: Order): Cart {
  return {
    items: order.items.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    remark: order.remark ?? '',
  };
}

/**
 * The countdown's fields with `ms` left; at 0 (past its expiry, or closed) the countdown says so
 * and the pay-button is off.
 */
function countdownData(ms: number, m: ShopMessages) {
  return ms > 0
    ? {
        countdownText: formatMmSs(ms),
        countdownLabel: m.payWithinLabel(spokenDuration(ms, m)),
      }
    : { expired: true, countdownText: '', countdownLabel: m.expiredLabel };
}

const emptyView: OrderView = {
  orderNo: '',
  lines: [],
  goods: '',
  shipping: '',
  discount: '',
  hasDiscount: false,
  total: '',
  totalLabel: '',
  remark: '',
};

Component({
  data: {
    phase: 'loading' as Phase,
    /** The message table's words for the WXML (onLoad sets the shopper's language). */
    words: currentMessages().words,
    errorText: '',
    view: emptyView,
    remark: '',
    remarkLength: 0,
    /** The server's `limits.remarkMaxLength` from `GET /api/catalog` (cart mode only). */
    remarkMax: 0,
    /** Only for a cart opened here; a reopened order (`?orderNo=`) keeps its remark. */
    remarkEditable: false,
    remarkLabel: '',
    remarkCounterLabel: '',
    savingRemark: false,
    countdownText: '',
    countdownLabel: '',
    expired: false,
    fee: 0,
    paymentArgs: {} as { orderNo?: string; orderToken?: string },
    payDisabled: true,
    /** More than one way to pay: the choice is shown. */
    channelChoice: false,
    /** The server offers the merchant's own cashier, half-screen. */
    halfScreenOffered: false,
    halfScreenLabel: '',
    /** The server offers the aggregator's cashier as a way to pay. */
    jumpOutOffered: false,
    channel: 'plugin' as PaymentChannel,
    /** The cashier's arguments for the shown order are at hand: a tap can jump at once. */
    jumpReady: false,
    jumpPreparing: false,
    jumpLabel: '',
    version: FUNCTIONAL_PAGE_VERSION,
    /** Measured safe-area insets win over the CSS env() fallback in the stylesheet. */
    pageStyle: '',
    barStyle: '',
  },

  methods: {
    onLoad(query: Record<string, string | undefined>) {
      // The page's state, and with it the shopper's language, is first read here.
      const state = stateOf(this);
      state.orderNo = queryParam(query, 'orderNo');
      state.itemsParam = query.items === undefined ? undefined : queryParam(query, 'items');
      this.update({ words: state.m.words });
      wx.setNavigationBarTitle({ title: state.m.titles.confirm });
      // A return from the cashier may reach App.onShow before or after this page's onShow.
      state.stopAppShows = onAppShows((options) => {
        this.takeReturn(options);
      });
      const inset = bottomInsetPx();
      if (inset > 0) {
        this.update({
          pageStyle: `padding-bottom: calc(var(--bar-height) + ${inset}px);`,
          barStyle: `padding-bottom: calc(var(--space-2) + ${inset}px);`,
        });
      }
      void this.load();
    },

    /** Every setData of this page: `payDisabled` is derived here from the state, nowhere else. */
    update(patch: Record<string, unknown>): void {
      const next = { ...this.data, ...patch } as unknown as PayGate & RemarkCount;
      const derived: Record<string, unknown> = { payDisabled: payDisabledOf(next) };
      // The remark's labels follow its length and limit only: a countdown tick carries neither.
      if ('remarkLength' in patch || 'remarkMax' in patch) {
        const { m } = stateOf(this);
        derived.remarkLabel = m.remarkLabel(next.remarkMax);
        derived.remarkCounterLabel = m.remarkCounterLabel(next.remarkLength, next.remarkMax);
      }
      this.setData({ ...patch, ...derived });
    },

    /** The one teardown: a page always gets onUnload (a component-built page also detaches). */
    onUnload() {
      const state = stateOf(this);
      state.unloaded = true;
      state.countdown?.stop();
      state.stopAppShows();
    },

    /** The result page may have changed things (e.g. the order expired): show the truth again. */
    onShow() {
      const state = stateOf(this);
      if (this.takeReturn(currentShowOptions())) return;
      if (state.order && !state.leaving && this.data.phase === 'ready') void this.refresh();
    },

    /**
     * A show that is the return from the cashier jump this order is waiting for goes to the
     * result page, which asks the server; anything else (another mini program, Android's stale
     * repeat of an earlier return, a plain show) is not a return. `extraData` is never read: it
     * proves nothing. True when the page is leaving for the result.
     */
    takeReturn(options: unknown): boolean {
      const state = stateOf(this);
      const order = state.order;
      if (!order || state.leaving) return false;
      if (!isReturnFrom(options, pendingJumpOf(order.orderNo))) return false;
      settleJump(order.orderNo);
      leave(state, resultPageUrl(order.orderNo, 'returned'));
      return true;
    },

    async load(): Promise<void> {
      const state = stateOf(this);
      const generation = ++state.generation;
      state.countdown?.stop();
      this.update({ phase: 'loading', errorText: '' });
      try {
        let fetched: FetchedOrder;
        if (state.orderNo) {
          if (!isOrderNo(state.orderNo)) throw new InputError({ kind: 'not-an-order-link' });
          // The channels come with the catalogue; without it the order can still be paid by
          // WeChat Pay, so its failure costs only the second choice.
          const [order, catalog] = await Promise.all([
            getOrder(state.orderNo),
            getCatalog().catch(() => undefined),
          ]);
          fetched = order;
          state.channels = catalog?.channels ?? ['plugin'];
          state.cashierApp = catalog?.cashierApp;
        } else {
          // A bad link is refused before any request.
          const param =
            state.itemsParam === undefined ? undefined : parseItemsParam(state.itemsParam);
          if (param?.length === 0) {
            if (generation === state.generation) this.update({ phase: 'empty' });
            return;
          }
          // The catalogue carries the server's order limits, which the cart and remark obey.
          const { products, limits, channels, cashierApp } = await getCatalog();
          if (generation !== state.generation || state.unloaded) return;
          state.channels = channels;
          state.cashierApp = cashierApp;
          this.update({ remarkMax: limits.remarkMaxLength });
          const items = param ?? demoCart(products);
          checkCartLimits(items, limits);
          state.cart = { items, remark: state.cart?.remark ?? '' };
          fetched = await createOrder(state.cart);
        }
        if (generation !== state.generation || state.unloaded) return;
        this.show(fetched);
      } catch (error) {
        if (generation !== state.generation || state.unloaded) return;
        this.update({ phase: 'error', errorText: describeError(error, state.m) });
      }
    },

    show(fetched: FetchedOrder): void {
      const state = stateOf(this);
      if (state.leaving) return;
      const { order, clockOffsetMs } = fetched;
      if (order.status === 'paid' || order.status === 'refunded') {
        // Nothing to confirm any more: the result page shows a paid order.
        leave(state, resultPageUrl(order.orderNo, 'unknown'));
        return;
      }
      state.order = order;
      state.clockOffsetMs = clockOffsetMs;
      state.cart ??= cartOf(order);
      const view = orderView(order, state.m);
      const expiresAtMs = Date.parse(order.expiresAt);
      const nowMs = Date.now() + clockOffsetMs;
      const left = isPayable(order, nowMs) ? remainingMs(expiresAtMs, nowMs) : 0;
      state.countdown?.stop();
      state.countdown = undefined;
      // The first countdown text comes with the order, in one setData: the countdown's first
      // tick then finds it already shown.
      this.update({
        phase: 'ready',
        view,
        remark: view.remark,
        remarkLength: view.remark.length,
        remarkEditable: !state.orderNo,
        fee: order.total,
        paymentArgs: paymentArgsFor(order.orderNo),
        expired: false,
        ...countdownData(left, state.m),
      });
      this.offerChannels(order);
      // WeChat may have dropped the page while the user was in the cashier: the show that
      // brought it back may be that return.
      if (this.takeReturn(currentShowOptions())) return;
      if (left === 0) return;
      state.countdown = startCountdown(expiresAtMs, clockOffsetMs, (tick) => {
        if (state.unloaded) return;
        if (tick.expired || tick.text !== this.data.countdownText) {
          this.update(countdownData(tick.remainingMs, state.m));
        }
      });
    },

    /**
     * Re-reads the shown order. Coming back from WeChat's payment page brings both `onShow` and
     * the pay-button's `fail`: a re-read already in flight serves both.
     */
    refresh(): Promise<void> {
      const state = stateOf(this);
      if (!state.rereading) {
        const done = this.reread();
        state.rereading = done;
        const clear = (): void => {
          if (state.rereading === done) state.rereading = undefined;
        };
        done.then(clear, clear);
      }
      return state.rereading;
    },

    /** Re-reads the shown order from the server without leaving the ready state. */
    async reread(): Promise<void> {
      const state = stateOf(this);
      const order = state.order;
      if (!order) return;
      const generation = state.generation;
      try {
        const fetched = await getOrder(order.orderNo);
        if (generation === state.generation && !state.unloaded) this.show(fetched);
      } catch (error) {
        if (generation !== state.generation || state.unloaded) return;
        // A definite "not yours" / "gone" must not leave the order on screen; anything else
        // (network, timeout) keeps what is shown and the next tap or visit asks again.
        if (isFinalRefusal(error)) {
          state.countdown?.stop();
          state.order = undefined;
          this.update({
            phase: 'error',
            errorText: describeError(error, state.m),
            view: emptyView,
            fee: 0,
            paymentArgs: {},
          });
        }
      }
    },

    onRetry() {
      void this.load();
    },

    /** Expired: the same cart becomes a new order (the old key maps to a closed order). */
    onStartOver() {
      const state = stateOf(this);
      if (state.order) state.cart = cartOf(state.order);
      state.orderNo = '';
      if (state.cart) {
        state.itemsParam = state.cart.items.map((i) => `${i.sku}:${i.quantity}`).join(',');
      }
      void this.load();
    },

    onRemarkInput(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      const remark = String(e.detail.value ?? '').slice(0, this.data.remarkMax);
      this.update({ remark, remarkLength: remark.length });
    },

    /**
     * The remark is part of the order the server stores, and an order cannot be edited, so a
     * changed remark places the order again under the (cart, remark) idempotency key. The
     * unpaid earlier order simply expires; nothing was sent to WeChat Pay for it.
     */
    async onRemarkCommit(): Promise<void> {
      const state = stateOf(this);
      const remark = this.data.remark.trim();
      if (!state.cart || !state.order || !this.data.remarkEditable) return;
      if (remark === (state.order.remark ?? '') || this.data.savingRemark) return;
      const generation = ++state.generation;
      this.update({ savingRemark: true });
      try {
        const fetched = await createOrder({ items: state.cart.items, remark });
        if (generation !== state.generation || state.unloaded) return;
        state.cart = { items: state.cart.items, remark };
        this.update({ savingRemark: false });
        this.show(fetched);
      } catch (error) {
        if (generation !== state.generation || state.unloaded) return;
        this.update({
          savingRemark: false,
          remark: state.order.remark ?? '',
          remarkLength: (state.order.remark ?? '').length,
        });
        wx.showToast({
          title: state.m.remarkNotSaved(describeError(error, state.m)),
          icon: 'none',
        });
      }
    },

    onPaySuccess(_e: WechatMiniprogram.CustomEvent<PayButtonSuccessDetail>) {
      const order = stateOf(this).order;
      if (order) leave(stateOf(this), resultPageUrl(order.orderNo, 'success'));
    },

    onPayCancel(_e: WechatMiniprogram.CustomEvent<PayButtonCancelDetail>) {
      const { order, m } = stateOf(this);
      if (!order) return;
      wx.showModal({
        title: m.giveUp.title,
        content: m.giveUp.content,
        confirmText: m.giveUp.confirm,
        cancelText: m.giveUp.cancel,
        success: (res) => {
          if (res.confirm) leave(stateOf(this), resultPageUrl(order.orderNo, 'cancel'));
        },
      });
    },

    onPayFail(e: WechatMiniprogram.CustomEvent<PayButtonFailDetail>) {
      const title = paymentFailureText(e.detail?.errMsg, stateOf(this).m);
      wx.showToast({ title, icon: 'none', duration: 3000 });
      // The server bound the order to a cashier at its first jump: that is the way left.
      const order = stateOf(this).order;
      if (isChannelConflict(e.detail?.errMsg) && order) {
        const cashier = this.cashierChannelOf(order.orderNo);
        if (cashier) this.chooseChannel(cashier);
      }
      // The order itself may have changed (expired, or paid after all): show the server's view.
      void this.refresh();
    },

    /**
     * Sets up the channel choice for the shown order: each channel the server takes is offered
     * (half-screen needs wx.openEmbeddedMiniProgram or, on an old base library, a plain jump —
     * both exist wherever the shop runs). An order this shop already sent to a cashier starts
     * there (the server refuses WeChat Pay for it); any other order on WeChat Pay, which binds
     * nothing until it is tapped.
     */
    offerChannels(order: Order): void {
      const state = stateOf(this);
      const jumpOut = state.channels.includes('jump-out');
      const halfScreen = state.channels.includes('half-screen') && state.cashierApp !== undefined;
      const { m } = state;
      const total = orderView(order, m).total;
      const offered = {
        channelChoice: jumpOut || halfScreen,
        jumpOutOffered: jumpOut,
        halfScreenOffered: halfScreen,
        jumpLabel: m.jumpOutLabel(total),
        halfScreenLabel: m.halfScreenLabel(total),
      };
      if (state.channelFor !== order.orderNo) {
        state.channelFor = order.orderNo;
        // A remark change makes a new order: the shopper's choice carries over to it.
        const wanted = this.cashierChannelOf(order.orderNo) ?? this.data.channel;
        const available =
          (wanted === 'jump-out' && jumpOut) || (wanted === 'half-screen' && halfScreen);
        this.update({ ...offered, channel: available ? wanted : 'plugin' });
      } else {
        this.update(offered);
      }
      const ready = state.jump?.orderNo === order.orderNo;
      this.update({ jumpReady: ready });
      if (jumpOut && this.data.channel === 'jump-out' && !ready) void this.prepareJump();
    },

    /**
     * The cashier channel the server has bound the order to, as far as this shop knows: the
     * aggregator's arguments were fetched for it (that binds), or it was last sent to a cashier.
     */
    cashierChannelOf(orderNo: string): PaymentChannel | undefined {
      const state = stateOf(this);
      if (state.jump?.orderNo === orderNo && state.channels.includes('jump-out')) return 'jump-out';
      const appId = cashierOf(orderNo);
      if (appId === undefined) return undefined;
      if (appId === state.cashierApp?.appId) return 'half-screen';
      return state.channels.includes('jump-out') ? 'jump-out' : undefined;
    },

    onChooseChannel(e: WechatMiniprogram.TouchEvent) {
      const wanted = (e.currentTarget.dataset as { channel?: string }).channel;
      if (wanted === 'plugin' || wanted === 'jump-out' || wanted === 'half-screen') {
        this.chooseChannel(wanted);
      }
    },

    chooseChannel(channel: PaymentChannel): void {
      if (this.data.channel === channel) return;
      if (channel === 'jump-out' && !this.data.jumpOutOffered) return;
      if (channel === 'half-screen' && !this.data.halfScreenOffered) return;
      this.update({ channel });
      if (channel === 'jump-out' && !this.data.jumpReady) void this.prepareJump();
    },

    /**
     * Fetches the cashier's signed arguments for the shown order, once it is chosen: WeChat
     * only jumps from inside a tap, so the tap must find them ready. The server binds the order
     * to the cashier here, which is why merely showing the page never asks.
     */
    async prepareJump(): Promise<void> {
      const state = stateOf(this);
      const order = state.order;
      if (!order || state.preparingFor === order.orderNo) return;
      if (state.jump?.orderNo === order.orderNo) return;
      const orderNo = order.orderNo;
      state.preparingFor = orderNo;
      this.update({ jumpPreparing: true });
      try {
        const params = await startJumpOut(orderNo);
        if (state.unloaded || state.order?.orderNo !== orderNo) return;
        state.jump = { orderNo, params };
        this.update({ jumpReady: true });
      } catch (error) {
        if (state.unloaded || state.order?.orderNo !== orderNo) return;
        wx.showToast({ title: describeError(error, state.m), icon: 'none', duration: 3000 });
        const code = error instanceof HttpError ? error.code : undefined;
        // Bound to WeChat Pay already, or no cashier configured after all: WeChat Pay it is.
        if (code === 'CHANNEL_UNAVAILABLE') this.update({ jumpOutOffered: false });
        this.update({ channel: 'plugin' });
        if (code === 'ORDER_NOT_PAYABLE') void this.refresh();
      } finally {
        if (state.preparingFor === orderNo) state.preparingFor = undefined;
        if (!state.unloaded) this.update({ jumpPreparing: false });
      }
    },

    /**
     * The cashier button. Runs synchronously inside the tap, as WeChat requires for
     * wx.navigateToMiniProgram; arguments not fetched yet are asked for and the tap says so.
     */
    onJumpOut() {
      const state = stateOf(this);
      const order = state.order;
      if (!order || this.data.payDisabled || state.leaving || state.jumping) return;
      const jump = state.jump;
      if (jump?.orderNo !== order.orderNo) {
        wx.showToast({ title: state.m.jumpOut.notReady, icon: 'none' });
        void this.prepareJump();
        return;
      }
      // Marked before the jump: the return may show the page before the callback arrives.
      markJumpStarted(order.orderNo, jump.params.appId);
      state.jumping = true;
      openCashier(jump.params, (result) => this.jumpAnswered(order.orderNo, result));
    },

    /**
     * The half-screen cashier button: opens the merchant's own cashier mini program for the
     * shown order, synchronously inside the tap. Nothing is fetched first: the AppID came with
     * the catalogue and the order's token is the shop's own. The server binds the order to the
     * cashier's AppID when the cashier pays, not here.
     */
    onHalfScreen() {
      const state = stateOf(this);
      const order = state.order;
      const app = state.cashierApp;
      if (!order || !app || this.data.payDisabled || state.leaving || state.jumping) return;
      markJumpStarted(order.orderNo, app.appId);
      state.jumping = true;
      openOwnCashier(app, paymentArgsFor(order.orderNo), (result) =>
        this.jumpAnswered(order.orderNo, result),
      );
    },

    /** WeChat's answer to a jump: opened (the return comes as a show), declined or refused. */
    jumpAnswered(orderNo: string, result: JumpResult): void {
      const state = stateOf(this);
      state.jumping = false;
      if (result.kind === 'opened') return;
      // Declined in WeChat's dialog, or refused: no jump, so no return to wait for.
      settleJump(orderNo);
      if (result.kind === 'failed' && !state.unloaded) {
        const title = jumpFailureText(result.reason, state.m);
        wx.showToast({ title, icon: 'none', duration: 3000 });
      }
    },
  },
});
