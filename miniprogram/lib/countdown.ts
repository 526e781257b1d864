/**
 * The expiry countdown. It works from the server's absolute `expiresAt` plus a measured clock
 * offset, never from a local start time, so a page that was hidden, throttled or opened on a
 * phone with a wrong clock still shows the server's truth.
 */
import type { ShopMessages } from './i18n';

/** Remaining whole milliseconds until `expiresAtMs`, never negative. */
export function remainingMs(expiresAtMs: number, nowMs: number): number {
  return Math.max(0, expiresAtMs - nowMs);
}

/**
 * `mm:ss`, rounding up so "00:00" only shows once time is really out. Minutes are not capped at
 * 59: an order that lives 90 minutes shows `90:00`.
 */
export function formatMmSs(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '00:00';
  const totalSeconds = Math.ceil(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${minutes < 10 ? '0' : ''}${minutes}:${seconds < 10 ? '0' : ''}${seconds}`;
}

/** Spoken form for the accessible label: `14分5秒`, `14 minutes 5 seconds`. */
export function spokenDuration(ms: number, m: Pick<ShopMessages, 'spokenDuration'>): string {
  const totalSeconds = Number.isFinite(ms) ? Math.max(0, Math.ceil(ms / 1000)) : 0;
  return m.spokenDuration(Math.floor(totalSeconds / 60), totalSeconds % 60);
}

/** Parses an RFC 3339 time to epoch milliseconds; NaN when it is not one. */
export function parseTime(value: string): number {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
}

/**
 * Offset to add to the local clock to get the server's, measured from an HTTP `Date` header
 * (one-second resolution). Small offsets are noise from that resolution and the round trip, so
 * only a skew over two seconds is corrected.
 */
export function clockOffsetFromDateHeader(
  dateHeader: string | undefined,
  sentAtMs: number,
  receivedAtMs: number,
): number {
  if (!dateHeader) return 0;
  const serverMs = Date.parse(dateHeader);
  if (Number.isNaN(serverMs)) return 0;
  const localMs = (sentAtMs + receivedAtMs) / 2;
  const offset = serverMs + 500 - localMs;
  return Math.abs(offset) > 2000 ? Math.round(offset) : 0;
}

export interface CountdownTick {
  remainingMs: number;
  text: string;
  expired: boolean;
}

export interface Countdown {
  stop(): void;
}

/**
 * Calls `onTick` now and then every second until the deadline (the last tick has
 * `expired: true`). Ticks are aligned to the deadline's second boundary so the display does not
 * jitter between two values.
 */
export function startCountdown(
  expiresAtMs: number,
  clockOffsetMs: number,
  onTick: (tick: CountdownTick) => void,
): Countdown {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    const left = remainingMs(expiresAtMs, Date.now() + clockOffsetMs);
    onTick({ remainingMs: left, text: formatMmSs(left), expired: left === 0 });
    if (left === 0) return;
    const untilNextSecond = left % 1000 || 1000;
    timer = setTimeout(tick, untilNextSecond);
  };
  tick();
  return {
    stop(): void {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
