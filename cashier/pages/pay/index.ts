/**
 * The cashier's one page: shows the order it was opened for (as the server has it), signs the
 * payer in under this mini program's own AppID, pays with wx.requestPayment using arguments the
 * server signed for that AppID, and goes back to the opener from an explicit button.
 *
 * - Opened again while still alive (the shopper went back and tapped once more, possibly for
 *   another order): WeChat shows it hot with new options, so wx.onAppShow, not onLoad, is where
 *   an opening is read; a new order replaces the old one on screen.
 * - Opened full screen (WeChat's silent fallback) it works the same; only the layout differs.
 * - Swiped away: nothing to do here. The opener asks the server, never this page.
 * - `requestPayment:ok` is not proof: the page asks the server before it says 支付成功.
 */
import type { CashierBackData, CashierOutcomeHint, Order } from '../../../typings';
import { ApiFailure, fetchOrder, payWithLogin } from '../../lib/http';
import type { Opening } from '../../lib/open-data';
import { currentOpening, openingOf, ownAppId } from '../../lib/open-data';
import type { CashierWords } from '../../lib/words';
import { currentWords } from '../../lib/words';

type Phase =
  'loading' | 'ready' | 'paying' | 'confirming' | 'unconfirmed' | 'paid' | 'closed' | 'error';

/** Re-reads after wx.requestPayment's ok: the notification usually lands within a second. */
const CONFIRM_DELAYS_MS = [0, 400, 800, 1500, 2500, 4000];

interface State {
  opening: Opening;
  /** Bumped by every load or opening: answers to older requests are dropped. */
  generation: number;
  /** From the tap to requestPayment's answer: a second tap does nothing. */
  paying: boolean;
  /** What the page saw last, for the opener's hint (never proof). */
  outcome: CashierOutcomeHint;
  stopShows: () => void;
  unloaded: boolean;
  w: CashierWords;
}

const states = new WeakMap<object, State>();
function stateOf(page: object): State {
  let state = states.get(page);
  if (!state) {
    state = {
      opening: { data: undefined, openerAppId: undefined, embedded: false },
      generation: 0,
      paying: false,
      outcome: 'unpaid',
      stopShows: () => undefined,
      unloaded: false,
      w: currentWords(),
    };
    states.set(page, state);
  }
  return state;
}

const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorText(error: unknown, w: CashierWords): string {
  if (error instanceof ApiFailure) {
    if (error.kind === 'network') return w.network;
    if (error.code && w.codes[error.code]) return w.codes[error.code] as string;
  }
  return w.general;
}

/** An order that cannot be paid any more (closed, refunded, or past its expiry). */
function isClosed(order: Order): boolean {
  if (order.status === 'closed' || order.status === 'refunded') return true;
  return order.status === 'pending' && Date.parse(order.expiresAt) <= Date.now();
}

Component({
  data: {
    phase: 'loading' as Phase,
    words: currentWords(),
    orderNo: '',
    amount: '',
    lines: [] as Array<{ sku: string; name: string; quantity: number; subtotal: string }>,
    /** A second line under the title: cancelled, failed, still confirming, an error. */
    statusText: '',
    /** Opened by another mini program: navigateBackMiniProgram has somewhere to go. */
    canGoBack: false,
    embedded: false,
  },

  methods: {
    onLoad() {
      const state = stateOf(this);
      this.setData({ words: state.w });
      wx.setNavigationBarTitle({ title: state.w.title });
      // Every later opening (and the first show) arrives here, whichever page is in front.
      if (typeof wx.onAppShow === 'function') {
        const listener = (options: unknown): void => this.onAppShown(options);
        wx.onAppShow(listener);
        state.stopShows = () => {
          if (typeof wx.offAppShow === 'function') wx.offAppShow(listener);
        };
      }
      this.adopt(currentOpening());
    },

    onUnload() {
      const state = stateOf(this);
      state.unloaded = true;
      state.stopShows();
    },

    /**
     * A show of the cashier: opened again for an order (the same or another), or back from the
     * background. A show that names no order (the recent list, Android's repeat) keeps what is
     * on screen and only re-reads it.
     */
    onAppShown(options: unknown): void {
      const state = stateOf(this);
      const next = openingOf(options);
      if (next.data === undefined) {
        if (!state.paying && this.data.phase !== 'loading') void this.refresh();
        return;
      }
      const same =
        next.data.orderNo === state.opening.data?.orderNo &&
        next.openerAppId === state.opening.openerAppId;
      if (same && (this.data.phase === 'loading' || state.paying)) return;
      this.adopt(next);
    },

    adopt(opening: Opening): void {
      const state = stateOf(this);
      // A token from an earlier opening of the same order still opens it.
      const token =
        opening.data?.orderToken ??
        (opening.data?.orderNo === state.opening.data?.orderNo
          ? state.opening.data?.orderToken
          : undefined);
      state.opening = opening.data
        ? { ...opening, data: { ...opening.data, ...(token ? { orderToken: token } : {}) } }
        : opening;
      state.outcome = 'unpaid';
      state.paying = false;
      this.setData({
        canGoBack: opening.openerAppId !== undefined,
        embedded: opening.embedded,
        statusText: '',
      });
      void this.load();
    },

    async load(): Promise<void> {
      const state = stateOf(this);
      const generation = ++state.generation;
      const data = state.opening.data;
      if (!data) {
        this.setData({
          phase: 'error',
          orderNo: '',
          amount: '',
          lines: [],
          statusText: state.w.noOrder,
        });
        return;
      }
      this.setData({ phase: 'loading', orderNo: data.orderNo });
      try {
        const order = await fetchOrder(data.orderNo, data.orderToken);
        if (generation === state.generation && !state.unloaded) this.show(order);
      } catch (error) {
        if (generation !== state.generation || state.unloaded) return;
        this.setData({ phase: 'error', statusText: errorText(error, state.w) });
      }
    },

    /** Re-reads the order on screen without a loading state (a show, after a cancel). */
    async refresh(): Promise<void> {
      const state = stateOf(this);
      const data = state.opening.data;
      if (!data) return;
      const generation = state.generation;
      try {
        const order = await fetchOrder(data.orderNo, data.orderToken);
        if (generation === state.generation && !state.unloaded && !state.paying) {
          this.show(order, true);
        }
      } catch {
        // What is shown stays; the next show or tap asks again.
      }
    },

    show(order: Order, keepStatus = false): void {
      const state = stateOf(this);
      const view = {
        orderNo: order.orderNo,
        amount: yuan(order.total),
        lines: order.items.map((line) => ({
          sku: line.sku,
          name: line.name,
          quantity: line.quantity,
          subtotal: yuan(line.subtotal),
        })),
      };
      if (order.status === 'paid') {
        state.outcome = 'paid';
        this.setData({ ...view, phase: 'paid', statusText: state.w.paidHint });
      } else if (isClosed(order)) {
        this.setData({ ...view, phase: 'closed', statusText: state.w.closed });
      } else {
        this.setData({
          ...view,
          phase: 'ready',
          ...(keepStatus ? {} : { statusText: '' }),
        });
      }
    },

    /**
     * 微信支付: sign in (wx.login under this AppID), have the server place the order for this
     * AppID, pay. One at a time; nothing is awaited before the first WeChat call.
     */
    onPay() {
      const state = stateOf(this);
      const data = state.opening.data;
      if (!data || this.data.phase !== 'ready' || state.paying) return;
      const appId = ownAppId();
      if (!appId || typeof wx.requestPayment !== 'function') {
        this.setData({ statusText: state.w.tooOld });
        return;
      }
      state.paying = true;
      const generation = state.generation;
      this.setData({ phase: 'paying', statusText: '' });
      const stale = () => generation !== state.generation || state.unloaded;
      wx.login({
        success: ({ code }) => {
          if (stale()) return;
          payWithLogin(data.orderNo, data.orderToken, code, appId).then(
            (args) => {
              if (stale()) return;
              wx.requestPayment({
                timeStamp: args.timeStamp,
                nonceStr: args.nonceStr,
                package: args.package,
                signType: args.signType as 'MD5' | 'HMAC-SHA256' | 'RSA',
                paySign: args.paySign,
                success: () => void this.confirm(generation),
                fail: (err: { errMsg?: string }) => this.payEnded(generation, err.errMsg ?? ''),
              });
            },
            (error: unknown) => this.payRefused(generation, error),
          );
        },
        fail: () => {
          state.paying = false;
          if (!stale()) this.setData({ phase: 'ready', statusText: state.w.loginFailed });
        },
      });
    },

    /** requestPayment said ok: only the server's word makes it 支付成功. */
    async confirm(generation: number): Promise<void> {
      const state = stateOf(this);
      state.paying = false;
      const data = state.opening.data;
      if (!data || generation !== state.generation || state.unloaded) return;
      this.setData({ phase: 'confirming', statusText: state.w.confirming });
      for (const delay of CONFIRM_DELAYS_MS) {
        await sleep(delay);
        if (generation !== state.generation || state.unloaded) return;
        try {
          const order = await fetchOrder(data.orderNo, data.orderToken);
          if (generation !== state.generation || state.unloaded) return;
          if (order.status !== 'pending') {
            this.show(order);
            return;
          }
        } catch {
          // Asked again after the next delay.
        }
      }
      this.setData({ phase: 'unconfirmed', statusText: state.w.stillConfirming });
    },

    /** requestPayment failed: the shopper cancelled, or WeChat Pay did not go through. */
    payEnded(generation: number, errMsg: string): void {
      const state = stateOf(this);
      state.paying = false;
      if (generation !== state.generation || state.unloaded) return;
      const cancelled = /cancel/i.test(errMsg);
      state.outcome = cancelled ? 'cancelled' : 'failed';
      this.setData({
        phase: 'ready',
        statusText: cancelled ? state.w.cancelled : state.w.failed,
      });
      // The order may have expired meanwhile: show the truth, keeping the line above.
      void this.refresh();
    },

    /** The server refused to pay (or could not be reached) before WeChat was asked. */
    payRefused(generation: number, error: unknown): void {
      const state = stateOf(this);
      state.paying = false;
      if (generation !== state.generation || state.unloaded) return;
      state.outcome = 'failed';
      const code = error instanceof ApiFailure ? error.code : undefined;
      if (code === 'ORDER_NOT_PAYABLE') {
        void this.load();
        return;
      }
      // Another payer's, another channel's, or unknown: paying again here cannot help.
      const final = code === 'CHANNEL_CONFLICT' || code === 'FORBIDDEN' || code === 'NOT_FOUND';
      this.setData({ phase: final ? 'error' : 'ready', statusText: errorText(error, state.w) });
    },

    onRetry() {
      void this.load();
    },

    /** 返回商家: the explicit way back. What it carries is a hint; the opener asks the server. */
    onBack() {
      const state = stateOf(this);
      if (!this.data.canGoBack || state.paying) return;
      const back: CashierBackData = {
        orderNo: state.opening.data?.orderNo ?? '',
        outcome: state.outcome,
      };
      wx.navigateBackMiniProgram({
        extraData: { ...back },
        fail: () => {
          wx.showToast({ title: state.w.notFromShop, icon: 'none' });
        },
      });
    },
  },
});
