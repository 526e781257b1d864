/**
 * WeChat's jumps between mini programs: wx.navigateToMiniProgram, wx.openEmbeddedMiniProgram
 * (half-screen) and wx.navigateBackMiniProgram, with the rules WeChat applies before a jump
 * (user tap, confirmation dialog, half-screen approval and orientation, the payment-callback
 * ban). The phone (phone.ts) then runs the lifecycles. Sources:
 * https://developers.weixin.qq.com/miniprogram/dev/api/navigate/wx.navigateToMiniProgram.html
 * https://developers.weixin.qq.com/miniprogram/dev/api/navigate/wx.openEmbeddedMiniProgram.html
 * https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/openEmbeddedMiniProgram.html
 * https://developers.weixin.qq.com/miniprogram/dev/api/navigate/wx.navigateBackMiniProgram.html
 */
import { crossAppCopy } from './clone';
import { failWith, succeed } from './callbacks';
import type { Callbacks } from './callbacks';
import { compareVersions } from './contexts';
import { sendJumpReport } from './jump-report';
import type { JumpReport } from './jump-report';
import { enterOptions, front, openOnTop, returnToOpener, SCENE_FROM_MINI_PROGRAM } from './phone';
import type { ApiCategory, MiniProgramRuntime, Phone } from './phone';

/** 'fallback': an openEmbeddedMiniProgram that WeChat silently turned into a full-screen jump. */
export type JumpKind = 'embedded' | 'full-screen' | 'fallback';

/** Why a half-screen open fell back (the conditions on the half-screen guide page). */
export type FallbackReason = 'not-approved' | 'not-declared' | 'landscape';

export interface JumpRecord {
  kind: JumpKind;
  appId: string;
  extraData?: Record<string, unknown>;
  /** The page opened in the target and its query, as the opener asked ('' = its home page). */
  path: string;
  /** As the opener asked; WeChat honours develop / trial only from a develop or trial opener. */
  envVersion?: 'develop' | 'trial' | 'release';
  /** Date.now() when the target was opened. */
  at: number;
  reason?: FallbackReason;
}

export interface JumpDialog {
  appId: string;
  answer: 'confirm' | 'cancel';
}

/** A mini program's jump settings and records (its runtime's; every wx of it shows them on `wx.emulator`). */
export interface JumpSettings {
  jumps: JumpRecord[];
  /** Every "即将打开…小程序" dialog WeChat showed, with the user's answer. */
  jumpDialogs: JumpDialog[];
  /** Answers to successive confirmation dialogs (default: confirm). */
  jumpConfirmAnswers: Array<'confirm' | 'cancel'>;
  /** Half-screen needs a portrait mini program. */
  orientation: 'portrait' | 'landscape';
  /** Admin console, 半屏小程序管理: the targets approved for half-screen opening. */
  embeddedAppIds: string[];
  /** app.json `embeddedAppIdList`, required as well below base library 2.23.1. */
  embeddedAppIdList: string[];
}

/** A mini program's settings before any test changes them: nothing approved, portrait. */
export function emptyJumpSettings(): JumpSettings {
  return {
    jumps: [],
    jumpDialogs: [],
    jumpConfirmAnswers: [],
    orientation: 'portrait',
    embeddedAppIds: [],
    embeddedAppIdList: [],
  };
}

export interface JumpContext {
  phone: Phone;
  /** The mini program the calling code runs in (a plugin's: its host). */
  app: MiniProgramRuntime;
  baseLibrary: string;
  settings: JumpSettings;
  /** The opener's sandbox: each dialog and opening is reported there (jump-report.ts). */
  sandboxUrl: string;
  /** The WeChat user holding the phone, named in those reports. */
  user?: string;
}

type Result = { errMsg: string };

export interface NavigateToMiniProgramOption extends Callbacks<Result, Result> {
  appId: string;
  /** Page and query in the target, e.g. 'pages/pay/index?order=1'; empty: its home page. */
  path?: string;
  extraData?: Record<string, unknown>;
  envVersion?: 'develop' | 'trial' | 'release';
}

export interface OpenEmbeddedMiniProgramOption extends NavigateToMiniProgramOption {
  verify?: 'binding' | 'unionProduct';
  allowFullScreen?: boolean;
}

export interface NavigateBackMiniProgramOption extends Callbacks<Result, Result> {
  extraData?: Record<string, unknown>;
}

const TAP_REQUIRED = 'can only be invoked by user TAP gesture.';

export function jumpApis(ctx: JumpContext) {
  const atLeast = (floor: string) => compareVersions(ctx.baseLibrary, floor) >= 0;

  return {
    navigateToMiniProgram(option: NavigateToMiniProgramOption): void {
      const api = 'navigateToMiniProgram';
      // From 2.3.0 WeChat wants a tap first and asks the user before leaving.
      const guarded = atLeast('2.3.0');
      if (guarded && !ctx.phone.inTap) {
        failWith(option, { errMsg: `${api}:fail ${TAP_REQUIRED}` });
        return;
      }
      open(ctx, api, option, { kind: 'full-screen', apiCategory: 'default', dialog: guarded });
    },

    openEmbeddedMiniProgram(option: OpenEmbeddedMiniProgramOption): void {
      const api = 'openEmbeddedMiniProgram';
      if (ctx.phone.inPaymentCallback) {
        // WeChat's notice of 2024-03-25: from base library 3.3.5 not inside wx.requestPayment's
        // callbacks; below it a payment callback still counted as a valid trigger.
        if (atLeast('3.3.5')) {
          failWith(option, {
            errMsg: `${api}:fail openEmbeddedMiniProgram forbidden after payment`,
          });
          return;
        }
      } else if (!ctx.phone.inTap) {
        failWith(option, { errMsg: `${api}:fail ${TAP_REQUIRED}` });
        return;
      }
      // The apiCategory table: a half-screen mini program cannot open another half-screen one.
      if (ctx.app.enterOptions?.apiCategory === 'embedded') {
        failWith(option, { errMsg: `${api}:fail not allowed when apiCategory is embedded` });
        return;
      }
      const reason = fallbackReason(ctx, option.appId);
      if (reason === undefined) {
        open(ctx, api, option, { kind: 'embedded', apiCategory: 'embedded', dialog: false });
      } else {
        open(ctx, api, option, { kind: 'fallback', apiCategory: 'default', dialog: true, reason });
      }
    },

    navigateBackMiniProgram(option: NavigateBackMiniProgramOption = {}): void {
      const api = 'navigateBackMiniProgram';
      const { app, phone } = ctx;
      if (app.openedBy === null) {
        failWith(option, { errMsg: `${api}:fail not opened by another mini program` });
        return;
      }
      if (app.hiding) {
        // Called from onHide: the user is already leaving, and what it sends never arrives.
        if (option.extraData !== undefined) app.droppedExtraData = option.extraData;
        succeed(option, { errMsg: `${api}:ok` });
        return;
      }
      if (front(phone) !== app || phone.backgrounded) {
        failWith(option, { errMsg: `${api}:fail emulator: ${app.appId} is not in front` });
        return;
      }
      setTimeout(() => {
        returnToOpener(phone, app, 'navigateBackMiniProgram', option.extraData);
        answerOk(option, `${api}:ok`);
      }, 0);
    },
  };
}

/** Undefined when every half-screen condition holds; else the first that does not. */
function fallbackReason(ctx: JumpContext, appId: string): FallbackReason | undefined {
  if (ctx.settings.orientation === 'landscape') return 'landscape';
  if (!ctx.settings.embeddedAppIds.includes(appId)) return 'not-approved';
  if (
    compareVersions(ctx.baseLibrary, '2.23.1') < 0 &&
    !ctx.settings.embeddedAppIdList.includes(appId)
  ) {
    return 'not-declared';
  }
  return undefined;
}

interface How {
  kind: JumpKind;
  apiCategory: ApiCategory;
  dialog: boolean;
  reason?: FallbackReason;
}

type OpenApi = 'navigateToMiniProgram' | 'openEmbeddedMiniProgram';

/** Fire-and-forget: whatever becomes of the report, the API answers as it would have. */
function report(ctx: JumpContext, fields: JumpReport): void {
  try {
    sendJumpReport(ctx.phone, ctx.sandboxUrl, {
      ...fields,
      ...(ctx.user !== undefined ? { user: ctx.user } : {}),
    });
  } catch (err) {
    ctx.phone.reportErrors.push(err);
  }
}

function open(ctx: JumpContext, api: OpenApi, option: NavigateToMiniProgramOption, how: How): void {
  const { phone, app, settings } = ctx;
  const target = phone.apps.get(option.appId);
  if (!target) {
    failWith(option, {
      errMsg: `${api}:fail emulator: no mini program ${String(option.appId)} on this phone (emulator.registerMiniProgram)`,
    });
    return;
  }
  if (front(phone) !== app || phone.backgrounded) {
    failWith(option, { errMsg: `${api}:fail emulator: ${app.appId} is not in front` });
    return;
  }
  if (phone.stack.includes(target.appId)) {
    failWith(option, { errMsg: `${api}:fail emulator: ${target.appId} is already open` });
    return;
  }
  const reported = {
    from: app.appId,
    to: target.appId,
    api,
    kind: how.kind,
    ...(how.reason !== undefined ? { reason: how.reason } : {}),
    ...(typeof option.path === 'string' && option.path !== '' ? { path: option.path } : {}),
  };
  if (how.dialog) {
    const choice = settings.jumpConfirmAnswers.shift() ?? 'confirm';
    settings.jumpDialogs.push({ appId: target.appId, answer: choice });
    report(ctx, { event: 'dialog', ...reported, answer: choice });
    if (choice === 'cancel') {
      failWith(option, { errMsg: `${api}:fail cancel` });
      return;
    }
  }
  const { path, query } = splitPath(option.path ?? '', target.homePath);
  const referrerInfo =
    option.extraData !== undefined
      ? { appId: app.appId, extraData: crossAppCopy(option.extraData) }
      : { appId: app.appId };
  // The opener's success comes after the target is on screen, as the jump is what succeeded.
  setTimeout(() => {
    settings.jumps.push({
      kind: how.kind,
      appId: target.appId,
      ...(option.extraData !== undefined ? { extraData: crossAppCopy(option.extraData) } : {}),
      path: option.path ?? '',
      ...(option.envVersion !== undefined ? { envVersion: option.envVersion } : {}),
      at: Date.now(),
      ...(how.reason !== undefined ? { reason: how.reason } : {}),
    });
    report(ctx, {
      event: 'open',
      ...reported,
      apiCategory: how.apiCategory,
      ...('extraData' in referrerInfo ? { extraData: referrerInfo.extraData } : {}),
    });
    openOnTop(
      phone,
      app,
      target,
      enterOptions(
        target,
        { path, query, scene: SCENE_FROM_MINI_PROGRAM, referrerInfo },
        how.apiCategory,
      ),
    );
    answerOk(option, `${api}:ok`);
  }, 0);
}

/** 'pages/a/index?x=1' → path 'pages/a/index' and query { x: '1' }, as App.onLaunch sees them. */
function splitPath(raw: string, homePath: string): { path: string; query: Record<string, string> } {
  const at = raw.indexOf('?');
  const page = (at < 0 ? raw : raw.slice(0, at)).replace(/^\/+/, '');
  const query: Record<string, string> = {};
  if (at >= 0) for (const [k, v] of new URLSearchParams(raw.slice(at + 1))) query[k] = v;
  return { path: page === '' ? homePath : page, query };
}

/** Synchronous success + complete: used where the answer must follow the phone's own work. */
function answerOk(option: Callbacks<Result, Result>, errMsg: string): void {
  const res = { errMsg };
  option.success?.(res);
  (option.complete as ((r: Result) => void) | undefined)?.(res);
}
