/**
 * The jump-out modules alone: which shows count as the return, the server's channels and cashier
 * arguments as checked before use, and the marker a jump leaves in storage.
 */
import { channelsOf, isJumpOutResponse } from '../../../miniprogram/lib/api';
import { jumpResultOf } from '../../../miniprogram/lib/cashier-jump';
import { messagesFor } from '../../../miniprogram/lib/i18n';
import { isReturnFrom } from '../../../miniprogram/lib/jump-return';
import { isChannelConflict, jumpFailureText } from '../../../miniprogram/lib/payment-errors';
import {
  markJumpStarted,
  pendingJumpOf,
  settleJump,
  cashierOf,
} from '../../../miniprogram/lib/pending-jumps';

const CASHIER = 'wx0123456789abcdef';
const jump = { orderNo: 'WP20261204ABCDEF', appId: CASHIER, since: 1 };

describe('a show is the return only from the cashier the jump went to', () => {
  it('scene 1038 from that AppID', () => {
    expect(isReturnFrom({ scene: 1038, referrerInfo: { appId: CASHIER } }, jump)).toBe(true);
    // extraData changes nothing, whatever it claims.
    const claim = { appId: CASHIER, extraData: { result: 'paid' } };
    expect(isReturnFrom({ scene: 1038, referrerInfo: claim }, jump)).toBe(true);
  });

  it.each([
    ['no pending jump', { scene: 1038, referrerInfo: { appId: CASHIER } }, undefined],
    ['another mini program', { scene: 1038, referrerInfo: { appId: 'wxffffffffffffffff' } }, jump],
    ['another scene', { scene: 1001, referrerInfo: { appId: CASHIER } }, jump],
    ['no referrerInfo', { scene: 1038 }, jump],
    ['a null referrerInfo', { scene: 1038, referrerInfo: null }, jump],
    ['no options', undefined, jump],
  ])('not with %s', (_, options, pending) => {
    expect(isReturnFrom(options, pending)).toBe(false);
  });
});

describe('what the server says is checked', () => {
  it('channels: unknown ones dropped, none means plugin only', () => {
    expect(channelsOf(['plugin', 'jump-out'])).toEqual(['plugin', 'jump-out']);
    expect(channelsOf(['plugin', 'half-screen'])).toEqual(['plugin', 'half-screen']);
    expect(channelsOf(['plugin', 'by-carrier-pigeon'])).toEqual(['plugin']);
    expect(channelsOf(undefined)).toEqual(['plugin']);
  });

  it('cashier arguments', () => {
    const good = { appId: CASHIER, path: '', extraData: { sign: 'AB' }, envVersion: 'release' };
    expect(isJumpOutResponse(good)).toBe(true);
    expect(isJumpOutResponse({ ...good, appId: 'cashier' })).toBe(false);
    expect(isJumpOutResponse({ ...good, extraData: { total_fee: 100 } })).toBe(false);
    expect(isJumpOutResponse({ ...good, envVersion: 'develop' })).toBe(false);
  });

  it("WeChat's answers to the jump and the server's channel refusal, in words", () => {
    expect(jumpResultOf('navigateToMiniProgram:fail cancel')).toEqual({ kind: 'cancelled' });
    expect(jumpResultOf('navigateToMiniProgram:fail invalid appid')).toEqual({
      kind: 'failed',
      reason: 'invalid appid',
    });
    expect(jumpFailureText('invalid appid', messagesFor('zh'))).toBe(
      '无法打开收银台：invalid appid',
    );
    expect(jumpFailureText('', messagesFor('en'))).toBe(
      'Could not open the cashier: unknown error',
    );
    expect(isChannelConflict('requestPluginPayment:fail … HTTP 409 CHANNEL_CONFLICT: x')).toBe(
      true,
    );
    expect(isChannelConflict('requestPluginPayment:fail HTTP 409 ORDER_NOT_PAYABLE')).toBe(false);
  });
});

describe('the pending-jump marker', () => {
  const storage = new Map<string, unknown>();
  beforeAll(() => {
    (globalThis as unknown as { wx: object }).wx = {
      getStorageSync: (key: string) => storage.get(key) ?? '',
      setStorageSync: (key: string, value: unknown) => storage.set(key, value),
    };
  });

  it('set by a jump, cleared once handled, stale after half an hour', () => {
    expect(pendingJumpOf(jump.orderNo)).toBeUndefined();
    expect(cashierOf(jump.orderNo)).toBeUndefined();
    markJumpStarted(jump.orderNo, CASHIER, 1_000);
    expect(pendingJumpOf(jump.orderNo, 2_000)).toEqual({ ...jump, since: 1_000 });
    expect(pendingJumpOf(jump.orderNo, 1_000 + 31 * 60_000)).toBeUndefined();
    settleJump(jump.orderNo);
    expect(pendingJumpOf(jump.orderNo, 2_000)).toBeUndefined();
    // The order stays known as one paid at the cashier.
    expect(cashierOf(jump.orderNo)).toBe(CASHIER);
  });
});
