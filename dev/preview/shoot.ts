/**
 * Screenshots in a real headless Chromium: Debian's `chromium` package driven by playwright-core
 * (browser downloads are not possible here). CHROMIUM_PATH overrides where it is.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import type { Scheme } from './document';
import { PHONE_WIDTH_PX } from './rpx';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** An iPhone-sized screen; taller pages are captured whole. */
const PHONE_HEIGHT_PX = 812;

export interface Camera {
  shoot(html: string, scheme: Scheme, file: string): Promise<void>;
  close(): Promise<void>;
}

export async function openCamera(): Promise<Camera> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install Debian's chromium package (apt-get install chromium fonts-noto-cjk) or set CHROMIUM_PATH`,
    );
  }
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--font-render-hinting=none'],
  });
  return {
    async shoot(html, scheme, file) {
      const context = await browser.newContext({
        viewport: { width: PHONE_WIDTH_PX, height: PHONE_HEIGHT_PX },
        deviceScaleFactor: 2,
        colorScheme: scheme,
        reducedMotion: 'reduce',
      });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (err) => errors.push(err.message));
        await page.setContent(html, { waitUntil: 'load' });
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        if (errors.length > 0) throw new Error(`${file}: ${errors.join('; ')}`);
        // A page taller than the phone is shown whole, with its fixed bar at the very bottom
        // as a shopper scrolled to the end would see it.
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        if (height > PHONE_HEIGHT_PX) {
          await page.setViewportSize({ width: PHONE_WIDTH_PX, height });
        }
        await page.screenshot({ path: file, animations: 'disabled' });
      } finally {
        await context.close();
      }
    },
    close: () => browser.close(),
  };
}
