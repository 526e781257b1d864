/** Safe-area handling that works where CSS `env(safe-area-inset-bottom)` does not. */

/** Pixels the home indicator (or similar) takes at the bottom of the screen. */
export function bottomInsetPx(): number {
  try {
    const info: { screenHeight: number; safeArea?: { bottom: number } } = wx.canIUse(
      'getWindowInfo',
    )
      ? wx.getWindowInfo()
      : wx.getSystemInfoSync();
    const bottom = info.safeArea?.bottom;
    if (typeof bottom !== 'number' || !Number.isFinite(bottom) || bottom <= 0) return 0;
    return Math.max(0, Math.round(info.screenHeight - bottom));
  } catch {
    return 0;
  }
}
