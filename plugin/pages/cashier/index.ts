/**
 * The plugin's cashier page (plugin.json pages.cashier): pays an order in the merchant's own
 * cashier mini program, opened half-screen. Only a plugin PAGE may call
 * wx.openEmbeddedMiniProgram (base library 2.26.2+), never a component on a host page, so a
 * host navigates here: `plugin://<alias>/cashier?orderNo=…&orderToken=…`.
 *
 * - The tap opens the cashier synchronously: the catalogue and the order are read on show,
 *   before any tap, and nothing is awaited in the handler (WeChat wants the user's tap).
 * - Every show (the first, and the return from the cashier) reads the order from the server;
 *   what the cashier sends back (referrerInfo.extraData) is never read: the server decides.
 */
import type { CashierAppInfo, Order } from '../../../typings';
import { formatFee } from '../../index';
import { currentPageMessages } from './words';
import { cashierAppOf, getOrder, isOrderRef } from '../../orders';
import type { OrderRef } from '../../orders';

interface State {
  ref?: OrderRef;
  /** Read once per page; `null`: the server does not offer the half-screen channel. */
  app?: CashierAppInfo | null;
  /** Bumped by every read: an older answer is dropped. */
  generation: number;
  /** From the tap to WeChat's answer (or the next show): one jump at a time. */
  jumping: boolean;
}

const states = new WeakMap<object, State>();
const stateOf = (page: object): State => {
  let state = states.get(page);
  if (!state) states.set(page, (state = { generation: 0, jumping: false }));
  return state;
};

const STATUS_PHASE: Record<Order['status'], string> = {
  pending: 'ready',
  paid: 'paid',
  closed: 'closed',
  refunded: 'refunded',
};

Component({
  data: {
    m: currentPageMessages(),
    /** loading | invalid | error | ready | paid | closed | refunded */
    phase: 'loading',
    orderNo: '',
    amount: '',
    /** The server offers half-screen, and this WeChat has wx.openEmbeddedMiniProgram. */
    offered: false,
    canOpen: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      const ref = { orderNo: query.orderNo, orderToken: query.orderToken };
      if (!isOrderRef(ref)) {
        this.setData({ phase: 'invalid' });
        return;
      }
      stateOf(this).ref = { orderNo: ref.orderNo, orderToken: ref.orderToken };
      this.setData({
        orderNo: ref.orderNo,
        canOpen: typeof wx.openEmbeddedMiniProgram === 'function',
      });
    },

    /** Every show, first or back from the cashier: the order as the server has it now. */
    onShow() {
      stateOf(this).jumping = false;
      void this.read();
    },

    onRetry() {
      void this.read();
    },

    onUnload() {
      stateOf(this).generation += 1;
    },

    async read(): Promise<void> {
      const state = stateOf(this);
      const ref = state.ref;
      if (!ref) return;
      const generation = ++state.generation;
      if (this.data.phase === 'error') this.setData({ phase: 'loading' });
      try {
        const [order, app] = await Promise.all([
          getOrder(ref),
          state.app === undefined ? cashierAppOf() : state.app,
        ]);
        if (generation !== state.generation) return;
        state.app = app || null;
        this.setData({
          phase: STATUS_PHASE[order.status],
          amount: formatFee(order.total),
          offered: !!app,
        });
      } catch {
        if (generation === state.generation) this.setData({ phase: 'error' });
      }
    },

    /** 去收银台支付: the jump, synchronously in the tap; a declined dialog is a quiet cancel. */
    onPay() {
      const state = stateOf(this);
      const { ref, app } = state;
      if (!ref || !app || state.jumping || this.data.phase !== 'ready' || !this.data.canOpen) {
        return;
      }
      state.jumping = true;
      wx.openEmbeddedMiniProgram({
        appId: app.appId,
        path: `${app.path}?orderNo=${encodeURIComponent(ref.orderNo)}`,
        extraData: { orderNo: ref.orderNo, orderToken: ref.orderToken },
        envVersion: app.envVersion,
        success: () => {
          state.jumping = false;
        },
        fail: (err: { errMsg?: string }) => {
          state.jumping = false;
          if (/:fail cancel$/.test(String(err.errMsg))) return;
          wx.showToast({ title: this.data.m.openFailed, icon: 'none' });
        },
      });
    },

    /** 返回: the host page shows again and reads the order itself. */
    onBack() {
      wx.navigateBack({ delta: 1 });
    },
  },
});
