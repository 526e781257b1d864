/**
 * A third-party host's checkout: everything through the plugin. `requirePlugin('pay')` creates
 * the order (the owner's server prices it) and reads its status; the plugin's pay-button takes
 * the payment through the owner's functional page. This host holds no server URL and no secret,
 * and never treats the button's `success` as paid: the order's status, from the server, decides.
 * Second way: 在收银台支付 opens the plugin's cashier page (plugin://pay/cashier), which opens the
 * merchant's cashier mini program half-screen; back here, onShow reads the order again.
 */
import type { CreatedOrder, Order } from '../../../typings';
import type { PluginOrderError } from '../../../plugin/orders';

/** What `requirePlugin('pay')` returns, as far as this page uses it. */
interface PayPlugin {
  createOrder(items: Array<{ sku: string; quantity: number }>): Promise<CreatedOrder>;
  getOrder(ref: { orderNo: string; orderToken: string }): Promise<Order>;
  paymentArgsFor(order: { orderNo: string; orderToken: string }): {
    orderNo: string;
    orderToken: string;
  };
}

const TEXT = {
  loading: '正在创建订单…',
  errorTitle: '暂时无法下单',
  retry: '重试',
  orderNo: '订单号',
  amount: '应付金额',
  ready: '请确认后支付',
  confirming: '正在确认支付结果…',
  paid: '支付成功',
  unpaid: '尚未支付，可再次支付',
  closed: '订单已关闭',
  stillConfirming: '支付结果确认中，请稍后在订单中查看',
  cashier: '在收银台支付',
};

/** Reads after the button's success: the notification usually lands within a second or two. */
const CONFIRM_DELAYS_MS = [300, 700, 1500, 2500];

const ITEMS = [{ sku: 'TEA-LJ-250', quantity: 1 }];

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

interface State {
  ref?: { orderNo: string; orderToken: string };
  generation: number;
}
const states = new WeakMap<object, State>();
const stateOf = (page: object) => states.get(page) as State;

Component({
  data: {
    text: TEXT,
    phase: 'loading',
    orderNo: '',
    amount: '',
    fee: 0,
    paymentArgs: {} as { orderNo?: string; orderToken?: string },
    version: 'release',
    statusText: '',
    errorText: '',
  },
  lifetimes: {
    created() {
      states.set(this, { generation: 0 });
    },
  },
  methods: {
    plugin(): PayPlugin {
      return requirePlugin('pay') as PayPlugin;
    },

    onLoad() {
      void this.create();
    },

    onRetry() {
      void this.create();
    },

    /** Shown again (back from the plugin's cashier page, or from the background): ask the server. */
    async onShow(): Promise<void> {
      if (this.data.phase !== 'ready') return;
      const order = await this.read();
      if (order && this.data.phase === 'ready') this.showStatus(order);
    },

    /** 在收银台支付: the plugin's page, which alone may open the half-screen cashier. */
    onCashier(): void {
      const ref = stateOf(this).ref;
      if (!ref || this.data.phase !== 'ready') return;
      wx.navigateTo({
        url: `plugin://pay/cashier?orderNo=${encodeURIComponent(ref.orderNo)}&orderToken=${ref.orderToken}`,
      });
    },

    /** Leaving the page: answers still on their way are dropped. */
    onUnload() {
      stateOf(this).generation += 1;
    },

    async create(): Promise<void> {
      const state = stateOf(this);
      const generation = ++state.generation;
      this.setData({ phase: 'loading', errorText: '' });
      try {
        const order = await this.plugin().createOrder(ITEMS);
        if (generation !== state.generation) return;
        state.ref = this.plugin().paymentArgsFor(order);
        this.setData({
          phase: 'ready',
          orderNo: order.orderNo,
          amount: yuan(order.total),
          fee: order.total,
          paymentArgs: state.ref,
          statusText: TEXT.ready,
        });
      } catch (err) {
        if (generation !== state.generation) return;
        this.setData({ phase: 'error', errorText: (err as PluginOrderError).message });
      }
    },

    /** The button says paid: believe the server, asking a few times while it confirms. */
    async onPaid(): Promise<void> {
      const state = stateOf(this);
      const generation = state.generation;
      this.setData({ phase: 'confirming', statusText: TEXT.confirming });
      for (const delay of CONFIRM_DELAYS_MS) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (generation !== state.generation) return;
        const order = await this.read();
        if (order && order.status !== 'pending') return this.showStatus(order);
      }
      this.setData({ statusText: TEXT.stillConfirming });
    },

    async onCancelled(): Promise<void> {
      const order = await this.read();
      if (order) this.showStatus(order);
    },

    async onFailed(): Promise<void> {
      const order = await this.read();
      if (order) this.showStatus(order);
    },

    async read(): Promise<Order | undefined> {
      const ref = stateOf(this).ref;
      if (!ref) return undefined;
      try {
        return await this.plugin().getOrder(ref);
      } catch {
        return undefined;
      }
    },

    showStatus(order: Order): void {
      if (order.status === 'paid' || order.status === 'refunded') {
        this.setData({ phase: 'paid', statusText: TEXT.paid });
      } else if (order.status === 'closed') {
        this.setData({ phase: 'closed', statusText: TEXT.closed });
      } else {
        this.setData({ phase: 'ready', statusText: TEXT.unpaid });
      }
    },
  },
});
