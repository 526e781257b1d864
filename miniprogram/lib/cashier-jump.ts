/**
 * Opening a cashier mini program: the aggregator's (jump-out) with the server's signed
 * arguments, or the merchant's own (half-screen). WeChat takes wx.navigateToMiniProgram and
 * wx.openEmbeddedMiniProgram only while a user tap is being handled, so these must run
 * synchronously in the tap handler: whatever they need is at hand beforehand, never fetched
 * here. A full-screen jump asks the user to confirm; declining is a cancel, not a failure.
 */
import type { CashierAppInfo, CashierOpenData, JumpOutResponse } from '../../typings';
import { failReason } from './payment-errors';

export type JumpResult =
  { kind: 'opened' } | { kind: 'cancelled' } | { kind: 'failed'; reason: string };

/** `navigateToMiniProgram:fail cancel`: the user said no in WeChat's "open … ?" dialog. */
export function jumpResultOf(errMsg: string | undefined): JumpResult {
  const reason = failReason(errMsg);
  if (/^cancel\b/i.test(reason)) return { kind: 'cancelled' };
  return { kind: 'failed', reason };
}

export function openCashier(params: JumpOutResponse, done: (result: JumpResult) => void): void {
  wx.navigateToMiniProgram({
    appId: params.appId,
    path: params.path,
    // Passed on exactly as signed: the cashier checks the signature over these fields.
    extraData: params.extraData,
    envVersion: params.envVersion,
    success: () => done({ kind: 'opened' }),
    fail: (err: { errMsg?: string }) => done(jumpResultOf(err.errMsg)),
  });
}

/**
 * Opens the merchant's own cashier for an order, half-screen (wx.openEmbeddedMiniProgram, base
 * library 2.20.1+). WeChat silently opens it full screen instead, with the confirmation dialog,
 * when the cashier is not approved for this shop's half screen or the shop is in landscape; an
 * older base library gets the full-screen jump directly. The cashier works the same either way.
 * The order's token goes along so the cashier can read and pay the order without the shop's
 * session (it signs in under its own AppID).
 */
export function openOwnCashier(
  app: CashierAppInfo,
  open: CashierOpenData,
  done: (result: JumpResult) => void,
): void {
  const option = {
    appId: app.appId,
    path: `${app.path}?orderNo=${encodeURIComponent(open.orderNo)}`,
    extraData: { ...open },
    envVersion: app.envVersion,
    success: () => done({ kind: 'opened' }),
    fail: (err: { errMsg?: string }) => done(jumpResultOf(err.errMsg)),
  };
  if (typeof wx.openEmbeddedMiniProgram === 'function') wx.openEmbeddedMiniProgram(option);
  else wx.navigateToMiniProgram(option);
}
