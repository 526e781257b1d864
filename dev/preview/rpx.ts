/**
 * WeChat's rpx: the screen is 750rpx wide, so on the 375 px phone the pictures use, 1rpx is
 * 0.5px. miniprogram-simulate turns `Nrpx` into `Npx` (a 750 px phone); the preview swaps that
 * conversion for WeChat's before any stylesheet is inserted.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from '../dist';

export const PHONE_WIDTH_PX = 375;

/** `88rpx` → `44px`, `1rpx` → `0.5px`, `-2.5rpx` → `-1.25px`. */
export function rpxToPx(css: string, widthPx = PHONE_WIDTH_PX): string {
  return css.replace(/(-?\d*\.?\d+)rpx\b/g, (_all, n: string) => {
    const px = (Number(n) * widthPx) / 750;
    return `${Number(px.toFixed(4))}px`;
  });
}

interface SimulateUtils {
  transformRpx(style: string): string;
}

/** Makes miniprogram-simulate convert rpx as WeChat does at `widthPx`. */
export function useWeChatRpx(widthPx = PHONE_WIDTH_PX): void {
  const load = createRequire(path.join(ROOT, 'package.json'));
  const utils = load('miniprogram-simulate/src/utils') as SimulateUtils;
  utils.transformRpx = (style) => rpxToPx(style, widthPx);
}
