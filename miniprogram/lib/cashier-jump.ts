/**
 * Opening the aggregator's cashier mini program with the server's signed arguments. WeChat takes
 * wx.navigateToMiniProgram only while a user tap is being handled (base library 2.3.0+), so this
 * must run synchronously in the tap handler: the arguments are fetched beforehand, never here.
 * WeChat then asks the user to confirm the jump; declining is a cancel, not a failure.
 */
import type { JumpOutResponse } from '../../typings';
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
