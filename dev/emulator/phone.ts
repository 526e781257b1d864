/**
 * One phone running several mini programs. Jumps between mini programs are phone-wide facts —
 * which one is in front, who opened whom, whether the user's finger is on the screen — so they
 * live here, shared by every `wx` created with the same `phone`, rather than on one `wx`.
 * Scene values: https://developers.weixin.qq.com/miniprogram/dev/reference/scene-list.html
 */
import { crossAppCopy } from './clone';
import { compareVersions } from './contexts';
import { emptyJumpSettings } from './jumps';
import type { JumpSettings } from './jumps';
import { createReportQueue } from './jump-report';
import type { JumpReporter, ReportQueue } from './jump-report';

/** 1037: opened from another mini program; 1038: back from another mini program. */
export const SCENE_FROM_MINI_PROGRAM = 1037;
export const SCENE_BACK_FROM_MINI_PROGRAM = 1038;
/** The recent-list entry (发现栏小程序主入口): what a plain launch or return to the app reports here. */
export const SCENE_MAIN_ENTRY = 1001;

/** `apiCategory` (base library 2.20.0+): 'embedded' when opened as a half-screen mini program. */
export type ApiCategory = 'default' | 'embedded';

export interface ReferrerInfo {
  appId?: string;
  extraData?: Record<string, unknown>;
}

/** What App.onLaunch / App.onShow / wx.getEnterOptionsSync() receive. */
export interface EnterOptions {
  path: string;
  query: Record<string, string>;
  scene: number;
  referrerInfo: ReferrerInfo;
  apiCategory?: ApiCategory;
}

/** wx.onAppHide's `reason` (3.5.7+): 0 user left, 1 another mini program, 2 native page, 3 other. */
export type HideReason = 0 | 1 | 2 | 3;

/** WeChat does not promise whether App.onShow or the page's onShow runs first: tests choose. */
export type ShowOrder = 'app-first' | 'page-first';

export interface AppHooks {
  onLaunch?(options: EnterOptions): void;
  onShow?(options: EnterOptions): void;
  onHide?(options?: { reason: HideReason }): void;
}

/** The page in front. Page.onShow takes no arguments: pages read wx.getEnterOptionsSync(). */
export interface PageHooks {
  onShow?(): void;
  onHide?(): void;
}

type Listener<T> = (options: T) => void;

export interface MiniProgramRuntime {
  readonly appId: string;
  state: 'stopped' | 'foreground' | 'background';
  /** App({ … }) of this mini program. */
  hooks: AppHooks;
  showListeners: Array<Listener<EnterOptions>>;
  hideListeners: Array<Listener<{ reason: HideReason } | undefined>>;
  page: PageHooks | null;
  launchOptions: EnterOptions | null;
  enterOptions: EnterOptions | null;
  /** Set while it is open on top of another mini program: navigateBackMiniProgram returns there. */
  openedBy: string | null;
  /** True while its onHide handlers run: a navigateBackMiniProgram from there loses its data. */
  hiding: boolean;
  /** What a navigateBackMiniProgram from onHide tried to send (it never arrives). */
  droppedExtraData?: Record<string, unknown>;
  /** Taken from the first wx created for this AppID. */
  platform: string;
  baseLibrary: string;
  showOrder: ShowOrder;
  /** Opened with an empty path, a mini program starts on its home page. */
  homePath: string;
  /** A registered target: builds its wx and App hooks at its first launch. */
  boot?: () => void;
  /**
   * Its jump settings and records: approvals (admin console and app.json) and orientation are
   * the mini program's, so a plugin inside it opens with its host's, and every `wx` of it sees
   * the same dialogs and jumps.
   */
  jumpSettings: JumpSettings;
}

export interface ReturnRecord {
  from: string;
  to: string;
  how: 'navigateBackMiniProgram' | 'swipe-away';
  extraData?: Record<string, unknown>;
  /** A navigateBackMiniProgram made from onHide: WeChat drops its extraData. */
  extraDataLost?: boolean;
  at: number;
}

export interface Phone {
  readonly apps: Map<string, MiniProgramRuntime>;
  /** AppIDs on screen, bottom first: the last one is in front. */
  readonly stack: string[];
  readonly returns: ReturnRecord[];
  /** Errors thrown by lifecycle handlers: WeChat reports them (App.onError) and goes on. */
  readonly errors: unknown[];
  /** Jump reports to the sandbox that failed (jump-report.ts): never the page code's business. */
  readonly reportErrors: unknown[];
  /** Jump reports in flight, sent one after another. */
  readonly reports: ReportQueue;
  /** Tells the sandbox of a jump; set by the first createWx on this phone (its sandbox URL). */
  report: JumpReporter | undefined;
  /** The synchronous part of a tap handler is running (`tap`). */
  inTap: boolean;
  /** A wx.requestPayment success / fail / complete callback is running. */
  inPaymentCallback: boolean;
  /** WeChat itself is in the background (home button). */
  backgrounded: boolean;
}

export function createPhone(): Phone {
  return {
    apps: new Map(),
    stack: [],
    returns: [],
    errors: [],
    reportErrors: [],
    reports: createReportQueue(),
    report: undefined,
    inTap: false,
    inPaymentCallback: false,
    backgrounded: false,
  };
}

/** Runs `fn` as a tap handler: only its synchronous part counts as "during a user tap". */
export function tap<T>(phone: Phone, fn: () => T): T {
  const was = phone.inTap;
  phone.inTap = true;
  try {
    return fn();
  } finally {
    phone.inTap = was;
  }
}

/** Runs a wx.requestPayment callback, so APIs refused there (≥ 3.3.5) can tell. */
export function inPaymentCallback(phone: Phone, fn: () => void): void {
  const was = phone.inPaymentCallback;
  phone.inPaymentCallback = true;
  try {
    fn();
  } finally {
    phone.inPaymentCallback = was;
  }
}

export interface RuntimeDefaults {
  platform: string;
  baseLibrary: string;
  showOrder?: ShowOrder;
  homePath?: string;
}

/**
 * The mini program `appId` on this phone, created on first use. The first one the phone gets
 * is the one the user has open: it is launched from the recent list (scene 1001).
 */
export function runtimeFor(
  phone: Phone,
  appId: string,
  defaults: RuntimeDefaults,
): MiniProgramRuntime {
  const existing = phone.apps.get(appId);
  if (existing) return existing;
  const app: MiniProgramRuntime = {
    appId,
    state: 'stopped',
    hooks: {},
    showListeners: [],
    hideListeners: [],
    page: null,
    launchOptions: null,
    enterOptions: null,
    openedBy: null,
    hiding: false,
    platform: defaults.platform,
    baseLibrary: defaults.baseLibrary,
    showOrder: defaults.showOrder ?? 'app-first',
    homePath: defaults.homePath ?? 'pages/index/index',
    jumpSettings: emptyJumpSettings(),
  };
  phone.apps.set(appId, app);
  if (phone.stack.length === 0) {
    phone.stack.push(appId);
    // No hooks exist yet, so nothing runs; the options are what getLaunchOptionsSync answers.
    const options = enterOptions(app, { path: app.homePath, scene: SCENE_MAIN_ENTRY });
    app.launchOptions = options;
    app.enterOptions = options;
    app.state = 'foreground';
  }
  return app;
}

/** apiCategory exists from base library 2.20.0; older ones do not report it. */
export function enterOptions(
  app: MiniProgramRuntime,
  fields: Partial<EnterOptions> & { scene: number },
  apiCategory: ApiCategory = 'default',
): EnterOptions {
  const options: EnterOptions = {
    path: fields.path ?? app.homePath,
    query: fields.query ?? {},
    scene: fields.scene,
    referrerInfo: fields.referrerInfo ?? {},
  };
  if (atLeast(app.baseLibrary, '2.20.0')) options.apiCategory = apiCategory;
  return options;
}

/** The mini program in front, if any. */
export function front(phone: Phone): MiniProgramRuntime | undefined {
  const id = phone.stack[phone.stack.length - 1];
  return id === undefined ? undefined : phone.apps.get(id);
}

/** The opener hides, the target launches (cold) or shows (hot) on top of it. */
export function openOnTop(
  phone: Phone,
  opener: MiniProgramRuntime,
  target: MiniProgramRuntime,
  options: EnterOptions,
): void {
  hide(phone, opener, 1);
  phone.stack.push(target.appId);
  target.openedBy = opener.appId;
  if (target.state === 'stopped') launch(phone, target, options);
  else show(phone, target, options);
}

/**
 * The target leaves and its opener shows with scene 1038 and the target as referrer. Data sent
 * from the target's onHide never arrives: only `extraData` given here does.
 */
export function returnToOpener(
  phone: Phone,
  target: MiniProgramRuntime,
  how: ReturnRecord['how'],
  extraData?: Record<string, unknown>,
): void {
  const openerId = target.openedBy;
  const opener = openerId === null ? undefined : phone.apps.get(openerId);
  if (!opener) throw new Error(`emulator: ${target.appId} was not opened by another mini program`);
  hide(phone, target, how === 'swipe-away' ? 0 : 1);
  const lost = target.droppedExtraData !== undefined;
  delete target.droppedExtraData;
  phone.stack.pop();
  target.openedBy = null;
  phone.returns.push({
    from: target.appId,
    to: opener.appId,
    how,
    ...(extraData !== undefined ? { extraData } : {}),
    ...(lost ? { extraDataLost: true } : {}),
    at: Date.now(),
  });
  // Fire-and-forget: the sandbox hears of the return; nothing it does reaches the page code.
  try {
    phone.report?.({
      event: 'return',
      from: target.appId,
      to: opener.appId,
      api: how,
      ...(extraData !== undefined ? { extraData } : {}),
      ...(lost ? { extraDataLost: true } : {}),
    });
  } catch (err) {
    phone.reportErrors.push(err);
  }
  const referrerInfo: ReferrerInfo = { appId: target.appId };
  if (extraData !== undefined) referrerInfo.extraData = extraData;
  const previous = opener.enterOptions;
  show(
    phone,
    opener,
    enterOptions(opener, {
      ...(previous ? { path: previous.path, query: previous.query } : {}),
      scene: SCENE_BACK_FROM_MINI_PROGRAM,
      referrerInfo,
    }),
  );
}

/** The user swipes the mini program in front away (or taps its close button). */
export function swipeAway(phone: Phone, appId: string): void {
  const app = front(phone);
  if (app?.appId !== appId) throw new Error(`emulator: ${appId} is not the mini program in front`);
  if (app.openedBy !== null) {
    returnToOpener(phone, app, 'swipe-away');
    return;
  }
  hide(phone, app, 0);
  phone.stack.pop();
}

/** The home button: the mini program in front hides, WeChat goes to the background. */
export function background(phone: Phone): void {
  if (phone.backgrounded) throw new Error('emulator: the phone is already in the background');
  phone.backgrounded = true;
  const app = front(phone);
  if (app) hide(phone, app, 3);
}

/**
 * Back to WeChat: the mini program in front shows again. Android cannot tell WeChat how the
 * user came back, so the last scene (and a 1038's referrerInfo) is reported again; iOS reports
 * the entry used (default: the recent list, 1001) with no referrer.
 */
export function foreground(phone: Phone, scene = SCENE_MAIN_ENTRY): void {
  if (!phone.backgrounded) throw new Error('emulator: the phone is not in the background');
  phone.backgrounded = false;
  const app = front(phone);
  if (!app) return;
  const last = app.enterOptions;
  if (app.platform === 'android' && last) {
    show(phone, app, crossAppCopy(last));
    return;
  }
  show(
    phone,
    app,
    enterOptions(
      app,
      { ...(last ? { path: last.path, query: last.query } : {}), scene },
      last?.apiCategory ?? 'default',
    ),
  );
}

function launch(phone: Phone, app: MiniProgramRuntime, options: EnterOptions): void {
  app.boot?.();
  delete app.boot;
  // getEnterOptionsSync answers the launch's options already inside onLaunch.
  app.launchOptions = options;
  app.enterOptions = options;
  guarded(phone, () => app.hooks.onLaunch?.(crossAppCopy(options)));
  show(phone, app, options);
}

function show(phone: Phone, app: MiniProgramRuntime, options: EnterOptions): void {
  app.enterOptions = options;
  app.state = 'foreground';
  const runApp = () => {
    guarded(phone, () => app.hooks.onShow?.(crossAppCopy(options)));
    for (const listener of [...app.showListeners]) {
      guarded(phone, () => listener(crossAppCopy(options)));
    }
  };
  const runPage = () => guarded(phone, () => app.page?.onShow?.());
  if (app.showOrder === 'page-first') {
    runPage();
    runApp();
  } else {
    runApp();
    runPage();
  }
}

function hide(phone: Phone, app: MiniProgramRuntime, reason: HideReason): void {
  if (app.state !== 'foreground') return;
  app.state = 'background';
  // The reason argument exists from base library 3.5.7; older App.onHide gets nothing.
  const arg = atLeast(app.baseLibrary, '3.5.7') ? { reason } : undefined;
  app.hiding = true;
  delete app.droppedExtraData;
  try {
    guarded(phone, () => app.page?.onHide?.());
    guarded(phone, () => app.hooks.onHide?.(arg && { ...arg }));
    for (const listener of [...app.hideListeners])
      guarded(phone, () => listener(arg && { ...arg }));
  } finally {
    app.hiding = false;
  }
}

function guarded(phone: Phone, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    phone.errors.push(err);
  }
}

function atLeast(version: string, floor: string): boolean {
  return compareVersions(version, floor) >= 0;
}
