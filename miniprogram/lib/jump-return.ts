/**
 * Whether a show of the shop is the return from the cashier jump a page is waiting for. WeChat
 * reports a return as scene 1038 with `referrerInfo.appId` = the mini program we came back from;
 * its `extraData` is whatever that mini program (or anyone opening us) chose to send, so it is
 * never read here: the order's state on the server is the only word on payment.
 */
import type { PendingJump } from './pending-jumps';

/** 返回小程序: back from another mini program. */
export const SCENE_BACK_FROM_MINI_PROGRAM = 1038;

/** What App.onShow / wx.onAppShow / wx.getEnterOptionsSync carry; every field may be missing. */
export interface ShowOptions {
  scene?: number;
  referrerInfo?: { appId?: string };
}

export function isReturnFrom(options: unknown, jump: PendingJump | undefined): boolean {
  if (!jump || typeof options !== 'object' || options === null) return false;
  const { scene, referrerInfo } = options as ShowOptions;
  return (
    scene === SCENE_BACK_FROM_MINI_PROGRAM &&
    typeof referrerInfo === 'object' &&
    referrerInfo !== null &&
    referrerInfo.appId === jump.appId
  );
}

/** The options of the latest show (base library 2.9.4+); undefined where WeChat has none. */
export function currentShowOptions(): unknown {
  try {
    return typeof wx.getEnterOptionsSync === 'function' ? wx.getEnterOptionsSync() : undefined;
  } catch {
    return undefined;
  }
}

type ShowListener = (options: unknown) => void;

/**
 * Subscribes to the app's shows (wx.onAppShow, base library 2.1.2+), which carry the return's
 * options whichever of App.onShow and the page's onShow WeChat runs first. Returns the undo.
 */
export function onAppShows(listener: ShowListener): () => void {
  if (typeof wx.onAppShow !== 'function') return () => undefined;
  const wrapped = (options: unknown): void => listener(options);
  wx.onAppShow(wrapped);
  return () => {
    if (typeof wx.offAppShow === 'function') wx.offAppShow(wrapped);
  };
}
