/**
 * Order confirmation: creates (or reopens) the server order for a cart, shows what will be
 * charged and hands the server's total to the plugin's pay-button. The page never prices
 * anything itself; it only formats the server's fen.
 */
import type {
  CatalogProduct,
  CreateOrderItem,
  Order,
  PayButtonCancelDetail,
  PayButtonFailDetail,
  PayButtonSuccessDetail,
} from '../../../typings';
import { FUNCTIONAL_PAGE_VERSION } from '../../build-config';
import type { FetchedOrder } from '../../lib/api';
import { createOrder, getCatalog, getOrder, isOrderNo, paymentArgsFor } from '../../lib/api';
import type { Cart } from '../../lib/cart';
import { checkCartLimits, parseItemsParam } from '../../lib/cart';
import type { Countdown } from '../../lib/countdown';
import { formatMmSs, remainingMs, spokenDuration, startCountdown } from '../../lib/countdown';
import { describeError } from '../../lib/error-text';
import { isFinalRefusal } from '../../lib/http';
import type { ShopMessages } from '../../lib/i18n';
import { currentMessages } from '../../lib/i18n';
import { InputError } from '../../lib/input-error';
import { bottomInsetPx } from '../../lib/layout';
import { queryParam, redirect, resultPageUrl } from '../../lib/navigation';
import { isPayable } from '../../lib/order-status';
import { paymentFailureText } from '../../lib/payment-errors';
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
    },

    /** The result page may have changed things (e.g. the order expired): show the truth again. */
    onShow() {
      const state = stateOf(this);
      if (state.order && !state.leaving && this.data.phase === 'ready') void this.refresh();
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
          fetched = await getOrder(state.orderNo);
        } else {
          // A bad link is refused before any request.
          const param =
            state.itemsParam === undefined ? undefined : parseItemsParam(state.itemsParam);
          if (param?.length === 0) {
            if (generation === state.generation) this.update({ phase: 'empty' });
            return;
          }
          // The catalogue carries the server's order limits, which the cart and remark obey.
          const { products, limits } = await getCatalog();
          if (generation !== state.generation || state.unloaded) return;
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
      // The order itself may have changed (expired, or paid after all): show the server's view.
      void this.refresh();
    },
  },
});
