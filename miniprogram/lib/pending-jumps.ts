/**
 * The orders this shop sent to a cashier mini program (the aggregator's, jump-out, or the
 * merchant's own, half-screen), and whether the return of
 * the latest jump is still to be handled. Coming back shows the shop with scene 1038, but so can
 * an unrelated show (Android repeats the last scene and referrer), so only a jump the page itself
 * started and has not handled yet makes a return worth acting on. Kept in storage: WeChat may
 * drop the shop's JavaScript while the user is in the cashier, and the marker must outlive it.
 */
const STORAGE_KEY = 'shop:jumps';
const MAX_ENTRIES = 20;
/** An order is payable for 15 minutes; a marker older than twice that can only be stale. */
const PENDING_MAX_AGE_MS = 30 * 60_000;

interface JumpEntry {
  orderNo: string;
  /** The cashier mini program the jump went to: a return from any other AppID is not ours. */
  appId: string;
  /** When the latest jump started (ms); 0 once its return was handled. */
  pendingSince: number;
}

export interface PendingJump {
  orderNo: string;
  appId: string;
  since: number;
}

function isEntry(value: unknown): value is JumpEntry {
  const v = value as JumpEntry | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.orderNo === 'string' &&
    typeof v.appId === 'string' &&
    typeof v.pendingSince === 'number'
  );
}

function readEntries(): JumpEntry[] {
  try {
    const value: unknown = wx.getStorageSync(STORAGE_KEY);
    return Array.isArray(value) ? value.filter(isEntry) : [];
  } catch {
    return [];
  }
}

function writeEntries(entries: JumpEntry[]): void {
  try {
    wx.setStorageSync(STORAGE_KEY, entries.slice(-MAX_ENTRIES));
  } catch {
    // A full storage only costs the return being noticed: the next show re-reads the order.
  }
}

function put(entry: JumpEntry): void {
  writeEntries([...readEntries().filter((e) => e.orderNo !== entry.orderNo), entry]);
}

/** Called right before wx.navigateToMiniProgram: the next return from `appId` is this order's. */
export function markJumpStarted(orderNo: string, appId: string, nowMs = Date.now()): void {
  put({ orderNo, appId, pendingSince: nowMs });
}

/** The jump of `orderNo` whose return is still to be handled, if any. */
export function pendingJumpOf(orderNo: string, nowMs = Date.now()): PendingJump | undefined {
  const entry = readEntries().find((e) => e.orderNo === orderNo);
  if (!entry || entry.pendingSince === 0 || nowMs - entry.pendingSince > PENDING_MAX_AGE_MS) {
    return undefined;
  }
  return { orderNo, appId: entry.appId, since: entry.pendingSince };
}

/**
 * The return was handled, or the jump never happened (dialog cancelled, refused): nothing is
 * pending any more, while the order stays known as one paid at the cashier.
 */
export function settleJump(orderNo: string): void {
  const entry = readEntries().find((e) => e.orderNo === orderNo);
  if (entry) put({ ...entry, pendingSince: 0 });
}

/**
 * The cashier mini program this shop last sent the order to, if any: its page then offers that
 * channel first (the server has bound the order to it).
 */
export function cashierOf(orderNo: string): string | undefined {
  return readEntries().find((e) => e.orderNo === orderNo)?.appId;
}
