/**
 * A stand-in for the WeChat client's `wx`, driving the real sandbox (login codes, cashier) and
 * the real server over HTTP. Only what the shop, the plugin and the functional page use, with
 * WeChat's callback shapes and errMsg texts; what it saw is recorded on `wx.emulator`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { failWith, succeed } from './callbacks';
import type { Callbacks } from './callbacks';
import { API_RULES, DEFAULT_BASE_LIBRARY, hasApi, refusedInComponent } from './contexts';
import type { WxContext } from './contexts';
import { appEventApis } from './app-events';
import { HttpFailure, httpRequest, postJson } from './http';
import { jumpReporter, reportsSettled } from './jump-report';
import { emptyJumpSettings, jumpApis } from './jumps';
import type { JumpDialog, JumpRecord, JumpSettings } from './jumps';
import {
  background,
  createPhone,
  foreground,
  inPaymentCallback,
  runtimeFor,
  swipeAway,
  tap,
} from './phone';
import type {
  AppHooks,
  EnterOptions,
  HideReason,
  MiniProgramRuntime,
  PageHooks,
  Phone,
  ShowOrder,
} from './phone';
import { installPluginWx } from './plugin-scope';

export type CashierOutcome = 'success' | 'cancel' | 'fail';
export type RoundTripPurpose = 'login' | 'session' | 'pay' | 'cashier' | 'identity' | 'other';

export interface CreateWxOptions {
  /** Sandbox base URL (login codes and the cashier live there). */
  sandboxUrl: string;
  /** Which WeChat user holds the phone; the sandbox derives a stable openid per (appid, user). */
  user: string;
  /** The owner app's AppID; omitted = the sandbox's default app. */
  appid?: string;
  /** What the user does in the cashier (changeable later with `wx.emulator.cashierOutcome`). */
  cashierOutcome?: CashierOutcome;
  /** `wx.getDeviceInfo().platform`: 'devtools' makes the pay-button explain itself. */
  platform?: 'ios' | 'android' | 'devtools';
  /** Share storage between emulators to model one phone; default: fresh. */
  storage?: Map<string, string>;
  /** Answers to successive `wx.showModal` calls (default: confirm). */
  modalAnswers?: Array<'confirm' | 'cancel'>;
  /** app.json networkTimeout.request: wx.request's timeout when the caller gives none. */
  networkTimeoutMs?: number;
  /**
   * Whose `wx` this is (contexts.ts): `host` (default) has every API, `plugin` only what
   * WeChat's per-API documentation grants plugins, `functional-page` the owner app's.
   */
  context?: WxContext;
  /** The base library playing (default DEFAULT_BASE_LIBRARY): APIs newer than it are absent. */
  baseLibrary?: string;
  /** For `plugin`: the code runs in a plugin page (jumps allowed) or a component on a host page. */
  pluginSurface?: 'component' | 'page';
  /** WeChat's language setting, as `getAppBaseInfo().language` reports it (default zh_CN). */
  language?: string;
  /**
   * The mini program whose pages run this code: WeChat's fixed Referer names it on every
   * request (for a plugin: its host). Default: `appid`, when given.
   */
  hostAppId?: string;
  /** A plugin's token (its basic settings): WeChat signs the plugin's requests with it. */
  pluginToken?: string;
  /**
   * The phone this code runs on (phone.ts). Share one between the wx of a host and of its
   * plugin, and between mini programs that jump to each other. Default: a phone of its own.
   */
  phone?: Phone;
  /** Answers to successive "即将打开…小程序" confirmation dialogs (default: confirm). */
  jumpConfirmAnswers?: Array<'confirm' | 'cancel'>;
  /** Targets approved for half-screen opening in the admin console (半屏小程序管理). */
  embeddedAppIds?: string[];
  /** app.json `embeddedAppIdList`: below base library 2.23.1 a half-screen target needs it too. */
  embeddedAppIdList?: string[];
  /** The mini program's orientation; half-screen needs portrait (changeable on wx.emulator). */
  orientation?: 'portrait' | 'landscape';
  /** Which runs first when the mini program shows again: App.onShow or the page's onShow. */
  showOrder?: ShowOrder;
  /** `getAccountInfoSync().miniProgram.envVersion` (default develop: what tests and DevTools run). */
  envVersion?: 'develop' | 'trial' | 'release';
  /** A plugin's own AppID and version, as `getAccountInfoSync().plugin` reports them. */
  pluginAccount?: { appId: string; version: string };
}

/**
 * A mini program other code can jump to (`emulator.registerMiniProgram`). It gets its own wx,
 * `createWx({ context: 'host', appid })` with the registering wx's sandbox, user, platform and
 * base library unless `wx` says otherwise, and its hooks receive it.
 */
export interface MiniProgramDefinition {
  onLaunch?(options: EnterOptions, wx: EmulatedWx): void;
  onShow?(options: EnterOptions, wx: EmulatedWx): void;
  onHide?(options: { reason: HideReason } | undefined, wx: EmulatedWx): void;
  /** The page in front of it (a page runner): Page.onShow / onHide. */
  page?: { onShow?(wx: EmulatedWx): void; onHide?(wx: EmulatedWx): void };
  /** Where an empty `path` lands (default pages/index/index). */
  homePath?: string;
  wx?: Partial<CreateWxOptions>;
}

export interface MiniProgramHandle {
  readonly appId: string;
  /** Its wx, once WeChat launched it. */
  readonly wx: EmulatedWx | undefined;
  readonly runtime: MiniProgramRuntime;
}

export interface Navigation {
  kind: 'navigateTo' | 'redirectTo' | 'reLaunch' | 'switchTab' | 'navigateBack';
  url?: string;
  delta?: number;
}

export interface ToastRecord {
  title: string;
  icon?: string;
}

export interface ModalRecord {
  title?: string;
  content?: string;
  answer: 'confirm' | 'cancel';
}

/** The owner's functional page behind `wx.requestPluginPayment` (connectPluginPayment). */
export type PluginPaymentHandler = (option: WechatMiniprogram.RequestPluginPaymentOption) => void;

export interface EmulatorState {
  readonly context: WxContext;
  readonly baseLibrary: string;
  /** Set by connectPluginPayment: where this plugin's payments go. */
  pluginPayment: PluginPaymentHandler | undefined;
  readonly user: string;
  readonly appid: string | undefined;
  readonly sandboxUrl: string;
  cashierOutcome: CashierOutcome;
  /** openid of this user under `appid`, once a code has been minted. */
  openid: string | null;
  roundTrips: Record<RoundTripPurpose, number>;
  /** `METHOD /path` → count. */
  roundTripsByUrl: Record<string, number>;
  navigations: Navigation[];
  toasts: ToastRecord[];
  modals: ModalRecord[];
  /** Every `wx.setNavigationBarTitle`, in order. */
  titles: string[];
  modalAnswers: Array<'confirm' | 'cancel'>;
  loading: string | null;
  /** Every `wx.requestPayment` call, in order, with the cashier's answer. */
  payments: Array<{ args: CashierArgs; outcome: CashierOutcome; errMsg: string }>;
  storage: Map<string, string>;
  resetRoundTrips(): void;
  /** The phone, and the mini program on it this code runs in (a plugin's: its host). */
  readonly phone: Phone;
  readonly miniProgram: MiniProgramRuntime;
  /** Every jump this wx started that WeChat carried out, oldest first. */
  jumps: JumpRecord[];
  jumpDialogs: JumpDialog[];
  jumpConfirmAnswers: Array<'confirm' | 'cancel'>;
  orientation: 'portrait' | 'landscape';
  embeddedAppIds: string[];
  embeddedAppIdList: string[];
  /** Runs `fn` as a tap handler: only its synchronous part is "during a user tap". */
  tap<T>(fn: () => T): T;
  registerMiniProgram(appId: string, definition?: MiniProgramDefinition): MiniProgramHandle;
  /** App({ … }) of this mini program: its onLaunch / onShow / onHide. */
  setApp(hooks: AppHooks): void;
  /** The page in front of this mini program (null: none). */
  setPage(page: PageHooks | null): void;
  /** Home button / back to WeChat (iOS reports `scene`, default 1001; Android the last one). */
  background(): void;
  foreground(scene?: number): void;
  /** The user swipes `appId` (in front) away: its opener shows with no extraData. */
  swipeAway(appId: string): void;
  /**
   * Resolves when every jump report this phone sent the sandbox (POST /sandbox/jumps) has
   * settled; failed ones are in `phone.reportErrors`.
   */
  reportsSettled(): Promise<void>;
}

export interface CashierArgs {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

function purposeOf(method: string, path: string): RoundTripPurpose {
  if (path.endsWith('/sandbox/login-code')) return 'login';
  if (method === 'POST' && path.endsWith('/api/session')) return 'session';
  if (method === 'POST' && /\/api\/orders\/[^/]+\/pay(-with-login)?$/.test(path)) return 'pay';
  if (path.endsWith('/sandbox/cashier/pay')) return 'cashier';
  return 'other';
}

function queryString(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
}

/** X-WECHAT-HOSTSIGN as WeChat computes it: sha1 of the sorted [appid, nonce, timestamp, token]. */
function hostSign(appId: string, token: string): string {
  const noncestr = randomBytes(8).toString('hex');
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHash('sha1')
    .update([appId, noncestr, timestamp, token].sort().join(''))
    .digest('hex');
  return JSON.stringify({ noncestr, timestamp, signature });
}

/** WeChat's public errno values: 5 = timed out, 600001 = network error. */
const ERRNO_TIMEOUT = 5;
const ERRNO_NETWORK = 600001;
/** How long the sandbox may take to mint a login code; wx.login's `timeout` can only shorten it. */
const MINT_TIMEOUT_MS = 10_000;

const WINDOW = {
  pixelRatio: 3,
  screenWidth: 375,
  screenHeight: 812,
  windowWidth: 375,
  windowHeight: 812,
  statusBarHeight: 47,
  screenTop: 0,
  safeArea: { left: 0, right: 375, top: 47, bottom: 778, width: 375, height: 731 },
};

export type EmulatedWx = ReturnType<typeof createWx>;

/** The AppID a wx plays when given none: a jump's referrer needs one. */
const DEFAULT_APP_ID = 'wxemulatorhost0000';

export function createWx(options: CreateWxOptions) {
  const sandboxUrl = options.sandboxUrl.replace(/\/+$/, '');
  const platform = options.platform ?? 'ios';
  const networkTimeoutMs = options.networkTimeoutMs ?? 60_000;
  const zero = (): Record<RoundTripPurpose, number> => ({
    login: 0,
    session: 0,
    pay: 0,
    cashier: 0,
    identity: 0,
    other: 0,
  });
  const context = options.context ?? 'host';
  const baseLibrary = options.baseLibrary ?? DEFAULT_BASE_LIBRARY;
  const phone = options.phone ?? createPhone();
  // The phone's jump reports (returns, which belong to no one wx) go to its first wx's sandbox.
  phone.report ??= jumpReporter(phone, sandboxUrl, options.user);
  // A plugin runs inside its host: the host is the mini program that jumps, hides and shows.
  const miniProgram = runtimeFor(phone, options.hostAppId ?? options.appid ?? DEFAULT_APP_ID, {
    platform,
    baseLibrary,
    ...(options.showOrder !== undefined ? { showOrder: options.showOrder } : {}),
  });
  const state: EmulatorState = {
    context,
    baseLibrary,
    pluginPayment: undefined,
    user: options.user,
    appid: options.appid,
    sandboxUrl,
    cashierOutcome: options.cashierOutcome ?? 'success',
    openid: null,
    roundTrips: zero(),
    roundTripsByUrl: {},
    navigations: [],
    toasts: [],
    modals: [],
    titles: [],
    modalAnswers: [...(options.modalAnswers ?? [])],
    loading: null,
    payments: [],
    storage: options.storage ?? new Map(),
    resetRoundTrips() {
      state.roundTrips = zero();
      state.roundTripsByUrl = {};
    },
    phone,
    miniProgram,
    // Replaced below by the mini program's own (a plugin shares its host's).
    ...emptyJumpSettings(),
    tap: (fn) => tap(phone, fn),
    registerMiniProgram: (appId, definition = {}) =>
      registerMiniProgram(phone, appId, definition, options),
    setApp(hooks) {
      miniProgram.hooks = hooks;
    },
    setPage(page) {
      miniProgram.page = page;
    },
    background: () => background(phone),
    foreground: (scene) => foreground(phone, scene),
    swipeAway: (appId) => swipeAway(phone, appId),
    reportsSettled: () => reportsSettled(phone),
  };

  function count(method: string, url: string, purpose?: RoundTripPurpose) {
    let path = url;
    try {
      path = new URL(url).pathname;
    } catch {
      // Counted under the raw string.
    }
    const p = purpose ?? purposeOf(method, path);
    state.roundTrips[p] += 1;
    const key = `${method} ${path}`;
    state.roundTripsByUrl[key] = (state.roundTripsByUrl[key] ?? 0) + 1;
  }

  async function mintCode(purpose: RoundTripPurpose, timeoutMs = MINT_TIMEOUT_MS): Promise<string> {
    const url = `${sandboxUrl}/sandbox/login-code`;
    count('POST', url, purpose);
    const body: Record<string, string> = { user: state.user };
    if (state.appid !== undefined) body.appid = state.appid;
    const minted = await postJson<{ code: string; openid: string }>(
      url,
      body,
      Math.min(timeoutMs, MINT_TIMEOUT_MS),
    );
    state.openid = minted.openid;
    return minted.code;
  }

  shareJumpSettings(state, miniProgram.jumpSettings, options);

  const wx = {
    emulator: state,
    ...appEventApis(miniProgram),
    ...jumpApis({
      phone,
      app: miniProgram,
      baseLibrary,
      settings: miniProgram.jumpSettings,
      sandboxUrl,
      user: options.user,
    }),

    /**
     * The mini program's own AppID (for a plugin: its host's, plus the plugin's own). `version`
     * is only known in a release build, as on a phone.
     */
    getAccountInfoSync() {
      const envVersion = options.envVersion ?? 'develop';
      const info: {
        miniProgram: { appId: string; envVersion: string; version: string };
        plugin?: { appId: string; version: string };
      } = {
        miniProgram: {
          appId: miniProgram.appId,
          envVersion,
          version: envVersion === 'release' ? '1.0.0' : '',
        },
      };
      if (context === 'plugin') {
        info.plugin = {
          ...(options.pluginAccount ?? { appId: 'wxemulatorplugin00', version: 'dev' }),
        };
      }
      return info;
    },

    /** Plugins at 2.22.1+: hands the payment to the owner's functional page (connectPluginPayment). */
    requestPluginPayment: ((option: WechatMiniprogram.RequestPluginPaymentOption) => {
      if (state.pluginPayment) state.pluginPayment(option);
      else
        failWith(option, {
          errMsg:
            'requestPluginPayment:fail callMiniProgramFunction:fail no payment functional page (emulator: connectPluginPayment first)',
        });
    }) as ((option: WechatMiniprogram.RequestPluginPaymentOption) => void) | undefined,

    canIUse(schema: string): boolean {
      const name = schema.split('.')[0] ?? '';
      return typeof (wx as Record<string, unknown>)[name] === 'function';
    },

    login(option: WechatMiniprogram.LoginOption = {}): void {
      // The HTTP client's own timeout, not a race: a lost race would leave the request open.
      mintCode('login', option.timeout ?? networkTimeoutMs).then(
        (code) => succeed(option, { code, errMsg: 'login:ok' }),
        (err: unknown) => {
          const reason = err instanceof Error ? err.message : String(err);
          failWith(option, { errMsg: `login:fail ${reason}`, errno: ERRNO_NETWORK });
        },
      );
    },

    request(option: WechatMiniprogram.RequestOption): WechatMiniprogram.RequestTask {
      const method = (option.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(option.header ?? {}))
        headers[k.toLowerCase()] = String(v);
      headers['content-type'] ??= 'application/json';
      // WeChat's own headers, which the caller cannot set: the fixed Referer and, for a plugin,
      // the host signature (version 0 = a develop build).
      const hostAppId = options.hostAppId ?? options.appid;
      delete headers.referer;
      delete headers['x-wechat-hostsign'];
      if (hostAppId) {
        headers.referer = `https://servicewechat.com/${hostAppId}/${platform === 'devtools' ? 'devtools' : '0'}/page-frame.html`;
        if (context === 'plugin' && options.pluginToken) {
          headers['x-wechat-hostsign'] = hostSign(hostAppId, options.pluginToken);
        }
      }
      let url = option.url;
      let body: string | Buffer | undefined;
      const data = option.data;
      if (
        method === 'GET' &&
        data !== undefined &&
        typeof data === 'object' &&
        !(data instanceof ArrayBuffer)
      ) {
        const qs = queryString(data as Record<string, unknown>);
        if (qs !== '') url += (url.includes('?') ? '&' : '?') + qs;
      } else if (typeof data === 'string') {
        body = data;
      } else if (data instanceof ArrayBuffer) {
        body = Buffer.from(data);
      } else if (data !== undefined && method !== 'GET') {
        body = headers['content-type'].includes('application/x-www-form-urlencoded')
          ? queryString(data as Record<string, unknown>)
          : JSON.stringify(data);
      }
      const controller = new AbortController();
      count(method, url);
      httpRequest({
        method,
        url,
        headers,
        ...(body !== undefined ? { body } : {}),
        timeoutMs: option.timeout ?? networkTimeoutMs,
        signal: controller.signal,
      }).then(
        (res) => {
          let parsed: string | WechatMiniprogram.IAnyObject = res.body;
          if ((option.dataType ?? 'json') === 'json') {
            try {
              parsed = JSON.parse(res.body) as WechatMiniprogram.IAnyObject;
            } catch {
              // WeChat hands over the raw text when it is not JSON.
            }
          }
          succeed(option, {
            data: parsed,
            statusCode: res.statusCode,
            header: res.headers,
            cookies: [],
            errMsg: 'request:ok',
          } as unknown as WechatMiniprogram.RequestSuccessCallbackResult);
        },
        (err: unknown) => {
          const reason = err instanceof HttpFailure ? err.message : String(err);
          const errno =
            err instanceof HttpFailure && err.kind === 'timeout' ? ERRNO_TIMEOUT : ERRNO_NETWORK;
          failWith(option, {
            errMsg: `request:fail ${reason}`,
            errno,
          } as WechatMiniprogram.RequestFailCallbackErr);
        },
      );
      const task = {
        abort: () => controller.abort(),
        onHeadersReceived: () => undefined,
        offHeadersReceived: () => undefined,
        onChunkReceived: () => undefined,
        offChunkReceived: () => undefined,
      };
      return task as unknown as WechatMiniprogram.RequestTask;
    },

    requestPayment(option: WechatMiniprogram.RequestPaymentOption): void {
      const args: CashierArgs = {
        timeStamp: option.timeStamp,
        nonceStr: option.nonceStr,
        package: option.package,
        signType: option.signType ?? 'MD5',
        paySign: option.paySign,
      };
      const outcome = state.cashierOutcome;
      const run = async (): Promise<string> => {
        if (state.openid === null) await mintCode('identity');
        const url = `${sandboxUrl}/sandbox/cashier/pay`;
        count('POST', url, 'cashier');
        const body: Record<string, unknown> = {
          openid: state.openid,
          outcome,
          requestPaymentArgs: args,
        };
        if (state.appid !== undefined) body.appid = state.appid;
        const res = await postJson<{ errMsg: string }>(url, body);
        return res.errMsg;
      };
      // The callbacks run marked, so what WeChat refuses inside them (openEmbeddedMiniProgram
      // from 3.3.5) can tell.
      const marked = <R>(fn: ((res: R) => void) | undefined) =>
        fn && ((res: R) => inPaymentCallback(phone, () => fn(res)));
      const callbacks = {
        success: marked(option.success),
        fail: marked(option.fail),
        complete: marked(option.complete as ((res: unknown) => void) | undefined),
      } as Callbacks<{ errMsg: string }, { errMsg: string }>;
      run().then(
        (errMsg) => {
          state.payments.push({ args, outcome, errMsg });
          if (errMsg === 'requestPayment:ok') succeed(callbacks, { errMsg });
          else failWith(callbacks, { errMsg });
        },
        (err: unknown) => {
          const errMsg = `requestPayment:fail ${err instanceof Error ? err.message : String(err)}`;
          state.payments.push({ args, outcome, errMsg });
          failWith(callbacks, { errMsg });
        },
      );
    },

    getStorageSync(key: string): unknown {
      const raw = state.storage.get(key);
      return raw === undefined ? '' : (JSON.parse(raw) as unknown);
    },
    setStorageSync(key: string, value: unknown): void {
      if (typeof key !== 'string' || key === '')
        throw new Error('setStorageSync:fail key is empty');
      state.storage.set(key, JSON.stringify(value));
    },
    removeStorageSync(key: string): void {
      state.storage.delete(key);
    },
    clearStorageSync(): void {
      state.storage.clear();
    },

    navigateTo(option: WechatMiniprogram.NavigateToOption): void {
      state.navigations.push({ kind: 'navigateTo', url: option.url });
      succeed(option, {
        errMsg: 'navigateTo:ok',
      } as WechatMiniprogram.NavigateToSuccessCallbackResult);
    },
    redirectTo(option: WechatMiniprogram.RedirectToOption): void {
      state.navigations.push({ kind: 'redirectTo', url: option.url });
      succeed(option, { errMsg: 'redirectTo:ok' });
    },
    reLaunch(option: WechatMiniprogram.ReLaunchOption): void {
      state.navigations.push({ kind: 'reLaunch', url: option.url });
      succeed(option, { errMsg: 'reLaunch:ok' });
    },
    switchTab(option: WechatMiniprogram.SwitchTabOption): void {
      state.navigations.push({ kind: 'switchTab', url: option.url });
      succeed(option, { errMsg: 'switchTab:ok' });
    },
    navigateBack(option: WechatMiniprogram.NavigateBackOption = {}): void {
      state.navigations.push({ kind: 'navigateBack', delta: option.delta ?? 1 });
      succeed(option, { errMsg: 'navigateBack:ok' });
    },

    setNavigationBarTitle(option: WechatMiniprogram.SetNavigationBarTitleOption): void {
      state.titles.push(option.title);
      succeed(option, { errMsg: 'setNavigationBarTitle:ok' });
    },

    showToast(option: WechatMiniprogram.ShowToastOption): void {
      state.toasts.push({
        title: option.title,
        ...(option.icon !== undefined ? { icon: option.icon } : {}),
      });
      succeed(option, { errMsg: 'showToast:ok' });
    },
    hideToast(option: WechatMiniprogram.HideToastOption = {}): void {
      succeed(option, { errMsg: 'hideToast:ok' });
    },
    showLoading(option: WechatMiniprogram.ShowLoadingOption): void {
      state.loading = option.title;
      succeed(option, { errMsg: 'showLoading:ok' });
    },
    hideLoading(option: WechatMiniprogram.HideLoadingOption = {}): void {
      state.loading = null;
      succeed(option, { errMsg: 'hideLoading:ok' });
    },
    showModal(option: WechatMiniprogram.ShowModalOption): void {
      // WeChat refuses button words longer than 4 characters instead of cutting them.
      for (const key of ['confirmText', 'cancelText'] as const) {
        const text = option[key];
        if (text !== undefined && Array.from(text).length > 4) {
          failWith(option, {
            errMsg: `showModal:fail ${key} length should not larger than 4 Chinese characters`,
          } as WechatMiniprogram.GeneralCallbackResult);
          return;
        }
      }
      const answerWith = state.modalAnswers.shift() ?? 'confirm';
      state.modals.push({
        ...(option.title !== undefined ? { title: option.title } : {}),
        ...(option.content !== undefined ? { content: option.content } : {}),
        answer: answerWith,
      });
      succeed(option, {
        confirm: answerWith === 'confirm',
        cancel: answerWith === 'cancel',
        errMsg: 'showModal:ok',
      } as WechatMiniprogram.ShowModalSuccessCallbackResult);
    },

    getSystemInfoSync() {
      return {
        ...WINDOW,
        platform,
        system: platform === 'android' ? 'Android 14' : 'iOS 17.5',
        version: '8.0.50',
        SDKVersion: baseLibrary,
        language: options.language ?? 'zh_CN',
        brand: 'emulator',
        model: 'emulator',
      };
    },
    getWindowInfo() {
      return { ...WINDOW };
    },
    getAppBaseInfo() {
      return {
        SDKVersion: baseLibrary,
        language: options.language ?? 'zh_CN',
        version: '8.0.50',
        theme: 'light',
        enableDebug: false,
        fontSizeSetting: 16,
        host: { appId: options.appid ?? '' },
      };
    },
    getDeviceInfo() {
      return {
        platform,
        system: platform === 'android' ? 'Android 14' : 'iOS 17.5',
        brand: 'emulator',
        model: 'emulator',
        benchmarkLevel: 1,
      };
    },
  };
  return restrictTo(wx, context, baseLibrary, options.pluginSurface ?? 'component');
}

/**
 * Puts a mini program on the phone for others to jump to. Its wx and App hooks are built at
 * its first launch, as WeChat only starts its code then.
 */
function registerMiniProgram(
  phone: Phone,
  appId: string,
  definition: MiniProgramDefinition,
  base: CreateWxOptions,
): MiniProgramHandle {
  const runtime = runtimeFor(phone, appId, {
    platform: definition.wx?.platform ?? base.platform ?? 'ios',
    baseLibrary: definition.wx?.baseLibrary ?? base.baseLibrary ?? DEFAULT_BASE_LIBRARY,
    ...(definition.wx?.showOrder !== undefined ? { showOrder: definition.wx.showOrder } : {}),
    ...(definition.homePath !== undefined ? { homePath: definition.homePath } : {}),
  });
  if (runtime.state !== 'stopped' || runtime.boot) {
    throw new Error(`emulator: ${appId} is already on this phone`);
  }
  let targetWx: EmulatedWx | undefined;
  runtime.boot = () => {
    const made = createWx({
      sandboxUrl: base.sandboxUrl,
      user: base.user,
      ...pick(base, ['platform', 'baseLibrary', 'language', 'cashierOutcome', 'networkTimeoutMs']),
      ...definition.wx,
      appid: appId,
      context: 'host',
      phone,
    });
    targetWx = made;
    runtime.hooks = {
      onLaunch: (o) => definition.onLaunch?.(o, made),
      onShow: (o) => definition.onShow?.(o, made),
      onHide: (o) => definition.onHide?.(o, made),
    };
    const page = definition.page;
    if (page)
      runtime.page = { onShow: () => page.onShow?.(made), onHide: () => page.onHide?.(made) };
  };
  return {
    appId,
    get wx() {
      return targetWx;
    },
    runtime,
  };
}

function pick<T extends object, K extends keyof T>(from: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
}

/**
 * Leaves `wx` with what `context` gets at `baseLibrary`: other APIs are deleted (absent, as
 * WeChat leaves them), a plugin's login fails unauthorised, and a plugin component's route
 * APIs answer WeChat's refusal. An API the emulator has but the table lacks is a bug here.
 */
function restrictTo<T extends object>(
  wx: T,
  context: WxContext,
  baseLibrary: string,
  surface: 'component' | 'page',
): T {
  const api = wx as Record<string, unknown>;
  for (const name of Object.keys(api)) {
    if (name === 'emulator') continue;
    const rule = API_RULES[name];
    if (!rule) throw new Error(`emulator: wx.${name} has no row in contexts.ts`);
    if (!hasApi(name, context, baseLibrary)) {
      delete api[name];
    } else if (context === 'plugin' && rule.pluginNeedsAuthorization) {
      api[name] = (option: Callbacks<never, { errMsg: string }> = {}) =>
        failWith(option, { errMsg: `${name}:fail plugin is not authorized by the user` });
    } else if (context === 'plugin' && rule.pluginPagesOnly && surface === 'component') {
      api[name] = (option: Callbacks<never, { errMsg: string }> = {}) =>
        failWith(option, { errMsg: refusedInComponent(name) });
    }
  }
  return wx;
}

/**
 * Make `emulated` the global `wx`; anything it lacks falls back to what was there before
 * (miniprogram-simulate's built-ins in jsdom tests). A plugin-context wx goes to the plugin's
 * own scope instead (plugin-scope.ts), with no fallback: what it lacks, plugin code lacks.
 * Returns the undo.
 */
export function installWx(emulated: object): () => void {
  if ((emulated as Partial<EmulatedWx>).emulator?.context === 'plugin') {
    return installPluginWx(emulated);
  }
  const g = globalThis as unknown as { wx?: object };
  const previous = g.wx;
  const fallback = previous ?? {};
  g.wx = new Proxy(emulated, {
    get(target, prop, receiver) {
      if (prop in target) return Reflect.get(target, prop, receiver) as unknown;
      return Reflect.get(fallback, prop) as unknown;
    },
    has(target, prop) {
      return prop in target || prop in fallback;
    },
  });
  return () => {
    g.wx = previous;
  };
}

/**
 * `wx.emulator`'s jump settings and records are the mini program's (MiniProgramRuntime
 * .jumpSettings): what this wx's options add joins them, and the fields read and write them.
 */
function shareJumpSettings(
  state: EmulatorState,
  settings: JumpSettings,
  options: CreateWxOptions,
): void {
  settings.jumpConfirmAnswers.push(...(options.jumpConfirmAnswers ?? []));
  for (const id of options.embeddedAppIds ?? []) {
    if (!settings.embeddedAppIds.includes(id)) settings.embeddedAppIds.push(id);
  }
  for (const id of options.embeddedAppIdList ?? []) {
    if (!settings.embeddedAppIdList.includes(id)) settings.embeddedAppIdList.push(id);
  }
  if (options.orientation) settings.orientation = options.orientation;
  const keys: Array<keyof JumpSettings> = [
    'jumps',
    'jumpDialogs',
    'jumpConfirmAnswers',
    'orientation',
    'embeddedAppIds',
    'embeddedAppIdList',
  ];
  for (const key of keys) {
    Object.defineProperty(state, key, {
      enumerable: true,
      get: () => settings[key],
      set: (value: never) => {
        settings[key] = value;
      },
    });
  }
}
