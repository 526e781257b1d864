/**
 * pay-button: takes WeChat Pay for a plugin through the owner's payment functional page.
 * Route: wx.requestPluginPayment where the client has it, else <functional-page-navigator>.
 * One payment at a time; invalid input never starts one; DevTools taps are explained.
 *
 * Properties, checks, rendering and outcome mapping share this one module: each module the
 * plugin ships costs a fixed wrapper in every host's package. The fee rules come from the
 * plugin main (../../index), which hosts get through requirePlugin.
 */
import type {
  CurrencyType,
  FunctionalPageArgs,
  PayButtonSuccessDetail,
  PayButtonVersion,
  PaymentArgsLike,
} from '../../../typings';
import { CURRENCY_SYMBOLS, formatFee, validateFee } from '../../index';
import type { ButtonMessages } from '../../messages';
import { BUTTON_MESSAGES, currentButtonMessages } from '../../messages';
import { DEVTOOLS_ERRMSG, RETURN_GRACE_MS } from './constants';
import { payInSandbox } from './sandbox-payer';
import { payButtonProperties } from './props';

const VERSIONS: readonly string[] = ['release', 'trial', 'develop'];

/** errMsg stand-in per event, for when WeChat sends none: `requestPayment:fail cancel`. */
const FALLBACK_ERRMSG = { success: 'ok', fail: 'fail', cancel: 'fail cancel' };
type Outcome = keyof typeof FALLBACK_ERRMSG;

/** `requestPayment:fail cancel`, `requestPluginPayment:fail cancel`, and older `…:cancel`. */
const CANCEL = /:(fail )?cancel$/;

/** Per-instance state that is never rendered, kept out of `data` so setData never ships it. */
interface Runtime {
  /** wx.requestPluginPayment route: every tap goes through the guard's handler, never the navigator. */
  pluginRoute: boolean;
  /** WeChat DevTools: taps are intercepted and explained. */
  devtools: boolean;
  /** Id of the payment in flight; 0 when idle. */
  attempt: number;
  /** The host page was hidden during this payment: the user is on WeChat's page. */
  leftPage: boolean;
  /** The return grace period's timer; 0 when none. */
  timer: number;
  /** Last invalid-input reason logged, so one bad value warns once. */
  warned: string;
  /** Kept under the button after a DevTools tap; set once, so it also warns once. */
  notice: string;
  /** The words for the WeChat language of this plugin's own `wx`. */
  m: ButtonMessages;
}

const runtimes = new WeakMap<object, Runtime>();
const runtimeOf = (button: object) => runtimes.get(button) as Runtime;
let attempts = 0;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Asks the running client what it can do; a throw there must not break the button. */
function ask(question: () => boolean): boolean {
  try {
    return question();
  } catch {
    return false;
  }
}

/** First reason the properties cannot start a payment, '' when they can. */
function problemWith(p: {
  fee: unknown;
  paymentArgs: unknown;
  version: string;
  currencyType: string;
}): string {
  const fee = validateFee(p.fee);
  if (!fee.ok) return fee.reason;
  // Missing paymentArgs become {} (optional in WeChat); anything else must be an object.
  if (p.paymentArgs !== undefined && p.paymentArgs !== null && !isPlainObject(p.paymentArgs)) {
    return 'paymentArgs must be an object';
  }
  if (!VERSIONS.includes(p.version)) {
    return `version must be one of ${VERSIONS.join(', ')}, got ${p.version}`;
  }
  // typeof, not `in`: 'toString' and friends are not currencies.
  if (typeof CURRENCY_SYMBOLS[p.currencyType as CurrencyType] !== 'string') {
    return `currencyType ${p.currencyType} is not supported`;
  }
  return '';
}

Component({
  options: { styleIsolation: 'isolated' },
  externalClasses: ['custom-class', 'notice-class'],
  behaviors: ['wx://component-export'],
  /**
   * `fee` and `paymentArgs` accept any type on purpose: a wrong type from the host must reach
   * our checks (and be explained) instead of being coerced silently by the framework.
   */
  properties: payButtonProperties,
  data: {
    /** ready | busy | disabled | invalid */
    state: 'invalid',
    /** Why the properties cannot pay, for the developer ('' when they can); never shown. */
    problem: '',
    /** Covers the face and catches taps, so the navigator never starts a jump. */
    guard: true,
    faceLabel: '',
    faceText: '',
    ariaLabel: '',
    notice: '',
    navArgs: null as FunctionalPageArgs | null,
  },

  observers: {
    'fee, paymentArgs, version, currencyType, disabled, label'() {
      this.render();
    },
  },

  lifetimes: {
    created() {
      runtimes.set(this, {
        // Base library 2.22.1+: pay without the navigator (the navigator route is being retired).
        // Presence is the test: a plugin's wx has no canIUse (its doc: 小程序插件：不支持), and an
        // API a plugin may not use is absent from its wx.
        pluginRoute: ask(() => typeof wx.requestPluginPayment === 'function'),
        devtools: ask(
          () =>
            (typeof wx.getDeviceInfo === 'function' ? wx.getDeviceInfo() : wx.getSystemInfoSync())
              .platform === 'devtools',
        ),
        attempt: 0,
        leftPage: false,
        timer: 0,
        warned: '',
        notice: '',
        m: currentButtonMessages(),
      });
    },
    attached() {
      this.render();
    },
    detached() {
      const runtime = runtimeOf(this);
      clearTimeout(runtime.timer);
      runtime.attempt = 0;
    },
  },

  pageLifetimes: {
    hide() {
      const runtime = runtimeOf(this);
      if (runtime.attempt) runtime.leftPage = true;
    },
    /**
     * Base libraries before 2.4.1 fire nothing when the user just leaves the functional page:
     * back on the host page with no result, release the button after a grace period. Every
     * change of payment (begin, reset) clears this timer, so it only ever releases its own.
     */
    show() {
      const runtime = runtimeOf(this);
      if (!runtime.attempt || !runtime.leftPage) return;
      clearTimeout(runtime.timer);
      runtime.timer = setTimeout(() => {
        console.warn(
          '[pay-button] back on the page without a payment result from WeChat; the button is usable again. Ask your server for the order status.',
        );
        this.reset();
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
      const { fee, paymentArgs, currencyType, disabled } = this.data;
      const { m } = runtime;
      const label = this.data.label.trim() || m.label;
      const reason = problemWith(this.data);
      if (reason !== runtime.warned) {
        runtime.warned = reason;
        if (reason) console.warn(`[pay-button] payment disabled: ${reason}`);
      }
      const amount = reason ? '—' : formatFee(fee as number, currencyType as CurrencyType);
      const state = reason ? 'invalid' : runtime.attempt ? 'busy' : disabled ? 'disabled' : 'ready';
      const suffix = state === 'busy' ? m.busy : state === 'disabled' ? m.disabled : '';
      this.setData({
        state,
        problem: reason,
        guard: state !== 'ready' || runtime.pluginRoute || runtime.devtools,
        faceLabel: label,
        faceText: amount,
        ariaLabel: reason ? m.unavailableLabel(label) : `${label} ${amount}${suffix}`,
        notice: reason ? m.unavailable : runtime.notice,
        navArgs: reason
          ? null
          : { fee: fee as number, paymentArgs: (paymentArgs as PaymentArgsLike | null) || {} },
      });
    },

    /** Reached only when no guard covers the face (navigator route, ready): the tap goes on to the navigator. */
    onTap() {
      if (!this.data.guard) this.begin();
    },

    onGuardTap() {
      const runtime = runtimeOf(this);
      if (this.data.state !== 'ready') return;
      if (runtime.devtools) {
        // Development builds pay at the local sandbox; release builds explain and fail.
        if (payInSandbox) this.payInDevTools();
        else this.refuseInDevTools();
      } else if (runtime.pluginRoute) this.requestPluginPayment();
    },

    begin(): number {
      const runtime = runtimeOf(this);
      clearTimeout(runtime.timer);
      runtime.attempt = ++attempts;
      runtime.leftPage = false;
      this.render();
      return runtime.attempt;
    },

    reset() {
      const runtime = runtimeOf(this);
      clearTimeout(runtime.timer);
      runtime.attempt = 0;
      this.render();
    },

    /**
     * WeChat's answer from either route → one host event; errMsg is passed on as WeChat wrote
     * it, only a missing one gets a stand-in, and a failure that says cancel is a cancel.
     * `attempt` (requestPluginPayment) releases the button only if that payment still holds it;
     * a late answer for a payment already released is still WeChat's truth and is passed on.
     */
    finish(outcome: Outcome, detail: unknown, api: string, attempt?: number) {
      if (!attempt || attempt === runtimeOf(this).attempt) this.reset();
      const { errMsg, extraData } = (detail || {}) as { errMsg?: unknown; extraData?: unknown };
      const out: PayButtonSuccessDetail = {
        errMsg:
          typeof errMsg === 'string' && errMsg ? errMsg : `${api}:${FALLBACK_ERRMSG[outcome]}`,
      };
      if (outcome === 'success' && isPlainObject(extraData)) out.extraData = extraData;
      this.triggerEvent(outcome === 'fail' && CANCEL.test(out.errMsg) ? 'cancel' : outcome, out);
    },

    requestPluginPayment() {
      const { navArgs, version, currencyType } = this.data;
      const attempt = this.begin();
      let settled = false;
      // A client answering twice still gives the host one event.
      const settle = (outcome: Outcome, res: unknown) => {
        if (settled) return;
        settled = true;
        this.finish(outcome, res, 'requestPluginPayment', attempt);
      };
      try {
        wx.requestPluginPayment({
          version: version as PayButtonVersion,
          fee: (navArgs as FunctionalPageArgs).fee,
          paymentArgs: (navArgs as FunctionalPageArgs).paymentArgs,
          currencyType,
          success: (res) => settle('success', res),
          fail: (res) => settle('fail', res),
        });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        settle('fail', { errMsg: `requestPluginPayment:fail ${reason}` });
      }
    },

    /** DevTools, development build: the sandbox plays the functional page and the cashier. */
    payInDevTools() {
      const runtime = runtimeOf(this);
      const attempt = this.begin();
      if (!runtime.notice) {
        runtime.notice = runtime.m.sandboxNotice;
        console.warn(`[pay-button] ${BUTTON_MESSAGES.en.sandboxNotice}`);
        this.render();
      }
      const { navArgs } = this.data;
      (payInSandbox as NonNullable<typeof payInSandbox>)(
        ((navArgs as FunctionalPageArgs).paymentArgs || {}) as Record<string, unknown>,
      ).then(
        (errMsg) =>
          this.finish(
            errMsg === 'requestPayment:ok' ? 'success' : 'fail',
            { errMsg },
            'requestPayment',
            attempt,
          ),
        (err: unknown) =>
          this.finish(
            'fail',
            { errMsg: `requestPayment:fail ${err instanceof Error ? err.message : String(err)}` },
            'requestPayment',
            attempt,
          ),
      );
    },

    refuseInDevTools() {
      const runtime = runtimeOf(this);
      const { m } = runtime;
      if (!runtime.notice) {
        runtime.notice = m.devtoolsNotice;
        console.warn(`[pay-button] ${BUTTON_MESSAGES.en.devtoolsNotice}`);
        this.render();
      }
      try {
        wx.showModal({ title: m.devtoolsTitle, content: m.devtoolsNotice, showCancel: false });
      } catch {
        // The notice under the button and the fail event already say it.
      }
      this.triggerEvent('fail', { errMsg: DEVTOOLS_ERRMSG });
    },

    // catch:, not bind:, so the navigator's own success / fail / cancel never leak past the component.
    onNavigator(e: WechatMiniprogram.CustomEvent) {
      this.finish(e.type as Outcome, e.detail, 'requestPayment');
    },
  },
});
