import { messagesFor } from '../../../miniprogram/lib/i18n';
import {
  clockOffsetFromDateHeader,
  formatMmSs,
  parseTime,
  remainingMs,
  spokenDuration,
  startCountdown,
} from '../../../miniprogram/lib/countdown';
import type { CountdownTick } from '../../../miniprogram/lib/countdown';

describe('countdown', () => {
  it.each([
    [0, '00:00'],
    [-5000, '00:00'],
    [1, '00:01'],
    [999, '00:01'],
    [1000, '00:01'],
    [1001, '00:02'],
    [59_000, '00:59'],
    [60_000, '01:00'],
    [15 * 60_000, '15:00'],
    [90 * 60_000, '90:00'],
    [Number.NaN, '00:00'],
  ])('formatMmSs(%d) = %s', (ms, text) => {
    expect(formatMmSs(ms)).toBe(text);
  });

  it('says durations in words', () => {
    const en = messagesFor('en');
    expect(spokenDuration(0, en)).toBe('0 seconds');
    expect(spokenDuration(1000, en)).toBe('1 second');
    expect(spokenDuration(61_000, en)).toBe('1 minute 1 second');
    expect(spokenDuration(120_000, en)).toBe('2 minutes');
    const zh = messagesFor('zh');
    expect(spokenDuration(0, zh)).toBe('0秒');
    expect(spokenDuration(845_000, zh)).toBe('14分5秒');
    expect(spokenDuration(120_000, zh)).toBe('2分钟');
    expect(spokenDuration(Number.NaN, zh)).toBe('0秒');
  });

  it('remainingMs is never negative', () => {
    expect(remainingMs(1000, 400)).toBe(600);
    expect(remainingMs(1000, 4000)).toBe(0);
  });

  it('parseTime accepts RFC 3339 only', () => {
    expect(parseTime('2026-11-23T13:00:00.000Z')).toBe(Date.UTC(2026, 10, 23, 13));
    expect(Number.isNaN(parseTime('yesterday'))).toBe(true);
    expect(Number.isNaN(parseTime('1700000000'))).toBe(true);
  });

  it('corrects only a clock skew larger than the Date header can explain', () => {
    const now = Date.UTC(2026, 10, 23, 13, 0, 0);
    const header = new Date(now).toUTCString();
    expect(clockOffsetFromDateHeader(header, now, now + 200)).toBe(0);
    // Phone 5 minutes fast: server time is 5 minutes behind it.
    expect(clockOffsetFromDateHeader(header, now + 300_000, now + 300_000)).toBeCloseTo(
      -299_500,
      -2,
    );
    expect(clockOffsetFromDateHeader(undefined, now, now)).toBe(0);
    expect(clockOffsetFromDateHeader('not a date', now, now)).toBe(0);
  });

  describe('startCountdown', () => {
    beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2026, 10, 23, 13, 0, 0) }));
    afterEach(() => jest.useRealTimers());

    it('ticks each second down to expired, then stops', () => {
      const ticks: CountdownTick[] = [];
      startCountdown(Date.now() + 3000, 0, (t) => ticks.push(t));
      expect(ticks.map((t) => t.text)).toEqual(['00:03']);
      jest.advanceTimersByTime(10_000);
      expect(ticks.map((t) => t.text)).toEqual(['00:03', '00:02', '00:01', '00:00']);
      expect(ticks.at(-1)?.expired).toBe(true);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('applies the server clock offset', () => {
      const ticks: CountdownTick[] = [];
      // Server is 60 s ahead: an order expiring in 90 s by its clock has 30 s left.
      startCountdown(Date.now() + 90_000 + 60_000, 60_000, (t) => ticks.push(t));
      expect(ticks[0]?.text).toBe('01:30');
      const c = startCountdown(Date.now() + 90_000, 60_000, (t) => ticks.push(t));
      expect(ticks.at(-1)?.text).toBe('00:30');
      c.stop();
    });

    it('an already expired deadline gives one expired tick', () => {
      const ticks: CountdownTick[] = [];
      startCountdown(Date.now() - 1, 0, (t) => ticks.push(t));
      expect(ticks).toEqual([{ remainingMs: 0, text: '00:00', expired: true }]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('stop() cancels further ticks', () => {
      const ticks: CountdownTick[] = [];
      const c = startCountdown(Date.now() + 5000, 0, (t) => ticks.push(t));
      c.stop();
      jest.advanceTimersByTime(10_000);
      expect(ticks).toHaveLength(1);
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
