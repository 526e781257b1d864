/**
 * pay-button: takes WeChat Pay for a plugin through the owner's payment functional page.
 * Route: wx.requestPluginPayment where the client has it, else <functional-page-navigator>.
 * One payment at a time; invalid input never starts one; DevTools taps are explained.
 */
import type { PayButtonVersion } from '../../../typings';
import { cancelOutcome, failOutcome, successOutcome } from './outcome';
import type { Outcome } from './outcome';
import { canRequestPluginPayment, isDevTools } from './environment';
import { payButtonProperties } from './props';
import type { PayButtonData } from './props';
import { checkInputs, derive } from './view';
import { DEVTOOLS_ERRMSG, DEVTOOLS_NOTICE, RETURN_GRACE_MS } from './constants';

/** Per-instance state that is never rendered, kept out of `data` so setData never ships it. */
interface ButtonRuntime {
  pluginRoute: boolean;
  devtools: boolean;
  /** Id of the payment in flight; 0 when idle. */
  attempt: number;
  leftPage: boolean;
  returnTimer: ReturnType<typeof setTimeout> | null;
  /** Last invalid-input reason logged, so one bad value warns once. */
  warned: string;
  devtoolsWarned: boolean;
  notice: string;
}

const runtimes = new WeakMap<object, ButtonRuntime>();
let attempts = 0;

function runtimeOf(owner: object): ButtonRuntime {
  let runtime = runtimes.get(owner);
  if (runtime === undefined) {
    runtime = {
      pluginRoute: false,
      devtools: false,
      attempt: 0,
      leftPage: false,
      returnTimer: null,
      warned: '',
      devtoolsWarned: false,
      notice: '',
    };
    runtimes.set(owner, runtime);
  }
  return runtime;
}

function clearReturnTimer(runtime: ButtonRuntime): void {
  if (runtime.returnTimer !== null) clearTimeout(runtime.returnTimer);
  runtime.returnTimer = null;
}

const initialData: PayButtonData = {
  state: 'invalid',
  guard: true,
  faceText: '',
  ariaLabel: '',
  notice: '',
  navArgs: null,
};

Component({
  options: { styleIsolation: 'isolated' },
  externalClasses: ['custom-class', 'notice-class'],
  behaviors: ['wx://component-export'],
  properties: payButtonProperties,
  data: initialData,

  observers: {
    'fee, paymentArgs, version, currencyType, disabled, label'() {
      this.render();
    },
  },

  lifetimes: {
    attached() {
      const runtime = runtimeOf(this);
      runtime.pluginRoute = canRequestPluginPayment();
      runtime.devtools = isDevTools();
      this.render();
    },
    detached() {
      const runtime = runtimeOf(this);
      clearReturnTimer(runtime);
      runtime.attempt = 0;
    },
  },

  pageLifetimes: {
    hide() {
      const runtime = runtimeOf(this);
      if (runtime.attempt !== 0) runtime.leftPage = true;
    },
    show() {
      const runtime = runtimeOf(this);
      if (runtime.attempt === 0 || !runtime.leftPage) return;
      const attempt = runtime.attempt;
      clearReturnTimer(runtime);
      runtime.returnTimer = setTimeout(() => {
        runtime.returnTimer = null;
        if (runtime.attempt !== attempt) return;
        console.warn(
          '[pay-button] back on the page without a payment result from WeChat; the button is usable again. Ask your server for the order status.',
        );
        runtime.attempt = 0;
        this.render();
      }, RETURN_GRACE_MS);
    },
  },

  /** `selectComponent('#pay').reset()`: a host's own escape hatch for a stuck busy state. */
  export() {
    return { reset: () => this.reset() };
  },

  methods: {
    render() {
      const runtime = runtimeOf(this);
      const inputs = {
        fee: this.data.fee,
        paymentArgs: this.data.paymentArgs,
        version: this.data.version,
        currencyType: this.data.currencyType,
        disabled: this.data.disabled,
        label: this.data.label,
        busy: runtime.attempt !== 0,
        pluginRoute: runtime.pluginRoute,
        devtools: runtime.devtools,
        notice: runtime.notice,
      };
      const check = checkInputs(inputs);
      if (!check.ok && check.reason !== runtime.warned) {
        runtime.warned = check.reason;
        console.warn(`[pay-button] payment disabled: ${check.reason}`);
      }
      if (check.ok) runtime.warned = '';
      this.setData(derive(inputs, check));
    },

    /** Reached only when no guard covers the face: navigator route, ready. The tap goes on to the navigator. */
    onTap() {
      if (this.data.state !== 'ready' || this.data.guard) return;
      this.begin();
    },

    onGuardTap() {
      if (this.data.state !== 'ready') return;
      const runtime = runtimeOf(this);
      if (runtime.devtools) {
        this.refuseInDevTools();
        return;
      }
      if (runtime.pluginRoute) this.requestPluginPayment();
    },

    begin(): number {
      const runtime = runtimeOf(this);
      clearReturnTimer(runtime);
      attempts += 1;
      runtime.attempt = attempts;
      runtime.leftPage = false;
      this.render();
      return runtime.attempt;
    },

    finish(attempt: number | null, outcome: Outcome) {
      const runtime = runtimeOf(this);
      // A late answer for a payment that was already released is still WeChat's truth: pass it on.
      if (attempt === null || runtime.attempt === attempt) {
        clearReturnTimer(runtime);
        runtime.attempt = 0;
        this.render();
      }
      this.triggerEvent(outcome.event, outcome.detail);
    },

    reset() {
      const runtime = runtimeOf(this);
      clearReturnTimer(runtime);
      runtime.attempt = 0;
      this.render();
    },

    requestPluginPayment() {
      const args = this.data.navArgs;
      if (args === null) return;
      const attempt = this.begin();
      let settled = false;
      const settle = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        this.finish(attempt, outcome);
      };
      try {
        wx.requestPluginPayment({
          version: this.data.version as PayButtonVersion,
          fee: args.fee,
          paymentArgs: args.paymentArgs,
          currencyType: this.data.currencyType,
          success: (res) => settle(successOutcome(res, 'requestPluginPayment')),
          fail: (res) => settle(failOutcome(res, 'requestPluginPayment')),
        });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        settle({ event: 'fail', detail: { errMsg: `requestPluginPayment:fail ${reason}` } });
      }
    },

    refuseInDevTools() {
      const runtime = runtimeOf(this);
      if (!runtime.devtoolsWarned) {
        runtime.devtoolsWarned = true;
        console.warn(`[pay-button] ${DEVTOOLS_NOTICE}`);
      }
      runtime.notice = DEVTOOLS_NOTICE;
      this.render();
      try {
        wx.showModal({ title: 'Real device needed', content: DEVTOOLS_NOTICE, showCancel: false });
      } catch {
        // The notice under the button and the fail event already say it.
      }
      this.triggerEvent('fail', { errMsg: DEVTOOLS_ERRMSG });
    },

    // catch:, not bind:, so the navigator's own events never leak past the component.
    onNavigatorSuccess(e: WechatMiniprogram.CustomEvent) {
      this.finish(null, successOutcome(e.detail, 'requestPayment'));
    },
    onNavigatorFail(e: WechatMiniprogram.CustomEvent) {
      this.finish(null, failOutcome(e.detail, 'requestPayment'));
    },
    onNavigatorCancel(e: WechatMiniprogram.CustomEvent) {
      this.finish(null, cancelOutcome(e.detail, 'requestPayment'));
    },
  },
});
