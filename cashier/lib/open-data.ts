/**
 * What the cashier was opened for. The opener passes `{ orderNo, orderToken }` as extraData
 * (typings CashierOpenData), which arrives in `referrerInfo.extraData` of the show that opened
 * it; the page path's `?orderNo=` says the same for a reader of the URL. Any mini program could
 * send anything here, so it is only a question to put to the server: which order, and the token
 * that opens it. A mismatch between the two is refused rather than guessed.
 */
import type { CashierOpenData } from '../../typings';

/** 1037: opened from another mini program (the shop, or a host through our plugin's page). */
export const SCENE_FROM_MINI_PROGRAM = 1037;

const ORDER_NO = /^[A-Za-z0-9_\-*|]{6,32}$/;
const ORDER_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface Opening {
  data: CashierOpenData | undefined;
  /** The mini program that opened us, which navigateBackMiniProgram returns to. */
  openerAppId: string | undefined;
  /** Shown in a half screen ('embedded'), or full screen (a fallback, or an old base library). */
  embedded: boolean;
}

interface ShowOptions {
  scene?: unknown;
  query?: unknown;
  referrerInfo?: { appId?: unknown; extraData?: unknown };
  apiCategory?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function dataOf(extraData: unknown, queryOrderNo: unknown): CashierOpenData | undefined {
  const fromQuery =
    typeof queryOrderNo === 'string' && ORDER_NO.test(queryOrderNo) ? queryOrderNo : undefined;
  if (!isObject(extraData)) return fromQuery ? { orderNo: fromQuery } : undefined;
  const { orderNo, orderToken } = extraData;
  if (typeof orderNo !== 'string' || !ORDER_NO.test(orderNo)) return undefined;
  if (fromQuery !== undefined && fromQuery !== orderNo) return undefined;
  if (orderToken === undefined) return { orderNo };
  if (typeof orderToken !== 'string' || !ORDER_TOKEN.test(orderToken)) return undefined;
  return { orderNo, orderToken };
}

/** Reads a show's options (App.onShow / wx.onAppShow / wx.getEnterOptionsSync). */
export function openingOf(options: unknown): Opening {
  const o: ShowOptions = isObject(options) ? options : {};
  const referrer = isObject(o.referrerInfo) ? o.referrerInfo : {};
  const query = isObject(o.query) ? o.query : {};
  const fromMiniProgram = o.scene === SCENE_FROM_MINI_PROGRAM;
  const openerAppId =
    fromMiniProgram && typeof referrer.appId === 'string' && referrer.appId !== ''
      ? referrer.appId
      : undefined;
  return {
    data: dataOf(fromMiniProgram ? referrer.extraData : undefined, query.orderNo),
    openerAppId,
    embedded: o.apiCategory === 'embedded',
  };
}

/** The show that is on now; undefined where the base library has no getEnterOptionsSync. */
export function currentOpening(): Opening {
  try {
    return openingOf(
      typeof wx.getEnterOptionsSync === 'function' ? wx.getEnterOptionsSync() : undefined,
    );
  } catch {
    return openingOf(undefined);
  }
}

/** This mini program's own AppID (base library 2.2.2+): the one it signs payers in under. */
export function ownAppId(): string | undefined {
  try {
    return wx.getAccountInfoSync().miniProgram.appId || undefined;
  } catch {
    return undefined;
  }
}
