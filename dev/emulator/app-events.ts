/**
 * App-level events and start-up options of one mini program on the phone: wx.onAppShow /
 * offAppShow / onAppHide / offAppHide (not in plugins) and wx.getEnterOptionsSync /
 * getLaunchOptionsSync (plugins from 2.9.4, answering their host's). Which context gets which is
 * contexts.ts's business; these only read and feed the runtime in phone.ts.
 */
import { crossAppCopy } from './clone';
import type { EnterOptions, HideReason, MiniProgramRuntime } from './phone';

type ShowListener = (options: EnterOptions) => void;
type HideListener = (options?: { reason: HideReason }) => void;

/** Empty options for a mini program WeChat never launched (cannot happen on a phone). */
const NEVER_LAUNCHED: EnterOptions = { path: '', query: {}, scene: 0, referrerInfo: {} };

export function appEventApis(app: MiniProgramRuntime) {
  return {
    onAppShow(listener: ShowListener): void {
      app.showListeners.push(listener);
    },
    /** Without a listener WeChat removes them all; otherwise only that same function object. */
    offAppShow(listener?: ShowListener): void {
      app.showListeners = listener ? app.showListeners.filter((l) => l !== listener) : [];
    },
    onAppHide(listener: HideListener): void {
      app.hideListeners.push(listener);
    },
    offAppHide(listener?: HideListener): void {
      app.hideListeners = listener ? app.hideListeners.filter((l) => l !== listener) : [];
    },
    /** Cold start: what App.onLaunch got; hot start: what the last App.onShow got. */
    getEnterOptionsSync(): EnterOptions {
      return crossAppCopy(app.enterOptions ?? NEVER_LAUNCHED);
    },
    /** Always the cold start's options, however often the mini program showed since. */
    getLaunchOptionsSync(): EnterOptions {
      return crossAppCopy(app.launchOptions ?? NEVER_LAUNCHED);
    },
  };
}
