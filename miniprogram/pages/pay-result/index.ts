/**
 * Payment result. The pay-button's event only says what the cashier told the phone; this page
 * asks the server (which asks WeChat Pay when it has not heard yet) until the order is paid or
 * closed, with a bounded backoff, then offers a manual refresh.
 */
import type { Order } from '../../../typings';
import { getOrder, isOrderNo } from '../../lib/api';
import { describeError } from '../../lib/error-text';
import { isFinalRefusal } from '../../lib/http';
import type { ShopMessages } from '../../lib/i18n';
import { currentMessages } from '../../lib/i18n';
import { bottomInsetPx } from '../../lib/layout';
import { SHOP_HOME_URL, confirmPageUrl, queryParam, redirect } from '../../lib/navigation';
import type { ClientOutcome, ResultState } from '../../lib/order-status';
import {
  isFinal,
  pollDelaysFor,
  resultStateOf,
  stateWhenPollingEnds,
} from '../../lib/order-status';
import type { OrderView } from '../../lib/order-view';
import { formatLocalTime, orderView } from '../../lib/order-view';
import { formatPrice, spokenPrice } from '../../lib/money';
import { pageStateStore } from '../../lib/page-state';

/** `still-confirming`: polling ran out while the server still says pending. */
type Phase = 'loading' | 'error' | ResultState | 'still-confirming';

interface PageState {
  orderNo: string;
  outcome: ClientOutcome;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped when polling restarts so a late answer from an older round is ignored. */
  round: number;
  unloaded: boolean;
  /** The shopper's language, read once on load. */
  m: ShopMessages;
}

const stateOf = pageStateStore<PageState>(() => ({
  orderNo: '',
  outcome: 'unknown',
  timer: undefined,
  round: 0,
  unloaded: false,
  m: currentMessages(),
}));

function stopTimer(state: PageState): void {
  if (state.timer !== undefined) clearTimeout(state.timer);
  state.timer = undefined;
}

function outcomeOf(value: string): ClientOutcome {
  return value === 'success' || value === 'cancel' || value === 'returned' ? value : 'unknown';
}

Component({
  data: {
    phase: 'loading' as Phase,
    /** The message table's words for the WXML (onLoad sets the shopper's language). */
    words: currentMessages().words,
    title: '',
    hint: '',
    errorText: '',
    /** An error asking again may fix (network, timeout); not a definite "no such order". */
    canRetry: false,
    orderNo: '',
    amount: '',
    amountLabel: '',
    payAgainLabel: '',
    paidAt: '',
    expiresAt: '',
    view: undefined as OrderView | undefined,
    showDetails: false,
    refreshing: false,
    pageStyle: '',
  },

  methods: {
    onLoad(query: Record<string, string | undefined>) {
      // The page's state, and with it the shopper's language, is first read here.
      const state = stateOf(this);
      const { m } = state;
      state.orderNo = queryParam(query, 'orderNo');
      state.outcome = outcomeOf(queryParam(query, 'outcome'));
      this.setData({ words: m.words, ...m.states.confirming });
      wx.setNavigationBarTitle({ title: m.titles.result });
      const inset = bottomInsetPx();
      if (inset > 0) this.setData({ pageStyle: `padding-bottom: ${inset}px;` });
      if (!isOrderNo(state.orderNo)) {
        this.setData({ phase: 'error', errorText: m.input({ kind: 'not-an-order-link' }) });
        return;
      }
      this.setData({ orderNo: state.orderNo, payAgainLabel: m.payAgainLabel(state.orderNo) });
      this.startPolling();
    },

    /** The one teardown: a page always gets onUnload (a component-built page also detaches). */
    onUnload() {
      const state = stateOf(this);
      state.unloaded = true;
      stopTimer(state);
    },

    startPolling(): void {
      const state = stateOf(this);
      stopTimer(state);
      const round = ++state.round;
      void this.poll(round, 0);
    },

    async poll(round: number, attempt: number): Promise<void> {
      const state = stateOf(this);
      let order: Order | undefined;
      let resultState: ResultState | undefined;
      let failure: unknown;
      try {
        const fetched = await getOrder(state.orderNo);
        order = fetched.order;
        resultState = resultStateOf(order, Date.now() + fetched.clockOffsetMs, state.outcome);
      } catch (error) {
        failure = error;
      }
      if (round !== state.round || state.unloaded) return;
      if (order && resultState) this.show(order, resultState);

      const settled =
        resultState !== undefined && (isFinal(resultState) || resultState === 'unpaid');
      if (settled) return;
      const delay = pollDelaysFor(state.outcome)[attempt];
      if (isFinalRefusal(failure) || delay === undefined) {
        if (order && resultState && stateWhenPollingEnds(state.outcome) === 'unpaid') {
          // Back from the cashier and the aggregator never told the server: not paid, so far.
          this.show(order, 'unpaid');
        } else if (order) {
          const text = state.m.states['still-confirming'];
          this.setData({ phase: 'still-confirming', ...text, refreshing: false });
        } else {
          const errorText = describeError(failure, state.m);
          const canRetry = !isFinalRefusal(failure);
          this.setData({ phase: 'error', errorText, canRetry, refreshing: false });
        }
        return;
      }
      state.timer = setTimeout(() => {
        state.timer = undefined;
        void this.poll(round, attempt + 1);
      }, delay);
    },

    show(order: Order, resultState: ResultState): void {
      const { m, outcome } = stateOf(this);
      const view = orderView(order, m);
      // Back from the cashier, the wait is for the aggregator's word, not WeChat Pay's.
      const text =
        outcome === 'returned' && (resultState === 'confirming' || resultState === 'unpaid')
          ? { ...m.states[resultState], hint: m.returned[resultState] }
          : m.states[resultState];
      const refunded = order.refunded ?? 0;
      this.setData({
        phase: resultState,
        title: text.title,
        // A refund does not undo the payment, but the user must see it.
        hint: refunded > 0 ? m.refundedHint(formatPrice(refunded)) : text.hint,
        refreshing: false,
        view,
        amount: view.total,
        amountLabel: m.amountLabel(spokenPrice(order.total, m)),
        paidAt: order.paidAt ? formatLocalTime(order.paidAt, m) : '',
        expiresAt: formatLocalTime(order.expiresAt, m),
      });
    },

    onRefresh() {
      this.setData({ refreshing: true });
      this.startPolling();
    },

    onPayAgain() {
      redirect(confirmPageUrl(stateOf(this).orderNo));
    },

    onToggleDetails() {
      this.setData({ showDetails: !this.data.showDetails });
    },

    onBackToShop() {
      wx.reLaunch({ url: SHOP_HOME_URL });
    },
  },
});
