/**
 * The aggregator's cashier mini program on a test phone, and the wiring WeChat does for the
 * shop's page shows. The cashier does what the real one does when opened: hands the extraData
 * it was opened with to the aggregator (the sandbox's `POST /sandbox/aggregator/cashier`), then
 * leaves the way the test says: its back button (navigateBackMiniProgram with what the
 * aggregator told it, or a forgery), a swipe, or not at all.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { postJson } from '../../dev/emulator/http';
import type { EmulatedWx, EnterOptions } from '../../dev/emulator';
import type { Phone } from '../../dev/phone';
import type { RemoteStack } from '../../dev/remote-stack';

export type CashierChoice = 'success' | 'cancel' | 'fail';

export interface CashierPlay {
  /** What the user does at the cashier. */
  choice: CashierChoice;
  /** How the user leaves it: the back button, a swipe, or never. */
  leave: 'back' | 'swipe' | 'stay';
  /** Sent back instead of what the aggregator answered (a forged return). */
  forgedBack?: Record<string, unknown>;
}

export interface CashierAnswer {
  result: 'paid' | 'cancelled' | 'failed' | 'refused';
  reason?: string;
  backExtraData: Record<string, unknown>;
}

export interface CashierOnPhone {
  appId: string;
  /** What the aggregator answered each opening, oldest first. */
  answers: CashierAnswer[];
  /** The extraData each opening carried. */
  openedWith: Array<Record<string, unknown>>;
  /** Errors of the cashier's own code (they would fail silently on a phone). */
  errors: unknown[];
  play: CashierPlay;
}

/** The sandbox's aggregator account, as it wrote it into the stack's dev credentials. */
export function aggregatorAccount(stack: RemoteStack): { appId: string; mchId: string } {
  const file = path.join(path.dirname(stack.dbFile), 'credentials', 'merchant', 'config.json');
  const c = JSON.parse(readFileSync(file, 'utf8')) as {
    aggregatorAppId: string;
    aggregatorMchId: string;
  };
  return { appId: c.aggregatorAppId, mchId: c.aggregatorMchId };
}

/** Puts the cashier mini program on the phone; `play` can be changed between openings. */
export function registerCashier(
  phone: Phone,
  stack: RemoteStack,
  play: CashierPlay,
): CashierOnPhone {
  const { appId } = aggregatorAccount(stack);
  const cashier: CashierOnPhone = { appId, answers: [], openedWith: [], errors: [], play };
  const opened = async (options: EnterOptions, wx: EmulatedWx): Promise<void> => {
    const extraData = options.referrerInfo.extraData ?? {};
    cashier.openedWith.push(extraData);
    const answer = await postJson<CashierAnswer>(`${stack.sandboxUrl}/sandbox/aggregator/cashier`, {
      appId,
      extraData,
      outcome: cashier.play.choice,
    });
    cashier.answers.push(answer);
    if (cashier.play.leave === 'back') {
      wx.navigateBackMiniProgram({ extraData: cashier.play.forgedBack ?? answer.backExtraData });
    } else if (cashier.play.leave === 'swipe') {
      phone.wx.emulator.swipeAway(appId);
    }
  };
  phone.wx.emulator.registerMiniProgram(appId, {
    onShow(options, wx) {
      if (options.scene !== 1037) return;
      opened(options, wx).catch((err: unknown) => cashier.errors.push(err));
    },
  });
  return cashier;
}

interface ShowablePage {
  onShow?(): void;
}

/** WeChat runs the page in front's onShow whenever the shop shows: whichever page that is now. */
export function wirePageShows(phone: Phone): void {
  phone.wx.emulator.setPage({
    onShow: () => (phone.page?.instance as ShowablePage | undefined)?.onShow?.(),
  });
}
