/**
 * One picture's HTML: the DOM miniprogram-simulate rendered, the stylesheets it compiled from the
 * built WXSS (with WeChat's rpx), the app's app.wxss (which WeChat applies to every page), what
 * WeChat's own components look like, and the navigation bar WeChat draws above a page with the
 * page's title and colours (theme.json resolved for light or dark).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from '../dist';
import { rpxToPx } from './rpx';

export type Scheme = 'light' | 'dark';

type Json = Record<string, unknown>;

const DIST_APP = path.join(ROOT, 'dist', 'miniprogram');

/**
 * WeChat's built-in components as the base library styles them (style v2), where our WXSS does
 * not override them: block views, WeUI buttons, the textarea, and the system fonts.
 */
const BUILT_INS = `
html, body { margin: 0; padding: 0; }
body {
  font-family: -apple-system, BlinkMacSystemFont, "PingFang SC", "Noto Sans CJK SC", "Helvetica Neue", sans-serif;
  -webkit-font-smoothing: antialiased;
}
wx-view, wx-scroll-view, wx-swiper, wx-form { display: block; }
wx-text { display: inline; white-space: pre-wrap; }
wx-button {
  position: relative; display: block; width: 184px; margin: 0 auto; padding: 8px 24px;
  box-sizing: border-box; border: 0; border-radius: 8px; overflow: hidden;
  font-size: 17px; font-weight: 700; line-height: 1.41176471; text-align: center;
  color: #06ae56; background-color: #f2f2f2;
}
wx-textarea { display: block; position: relative; width: 300px; min-height: 150px; }
wx-textarea[placeholder]:empty::before { content: attr(placeholder); color: rgba(128, 128, 128, 0.8); }
.preview-nav {
  position: sticky; top: 0; z-index: 100; height: 44px; display: flex; align-items: center;
  justify-content: center; font-size: 17px; font-weight: 500;
}
.preview-nav__capsule {
  position: absolute; right: 7px; top: 6px; width: 87px; height: 32px; box-sizing: border-box;
  border-radius: 16px; border: 0.5px solid rgba(128, 128, 128, 0.35);
}
.preview-page { min-height: 100vh; }
`;

/** The built app does not change during a run: each file is read (and compiled) once. */
const cache = new Map<string, unknown>();
function once<T>(key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}

function readJson(file: string): Json {
  return once(file, () => JSON.parse(readFileSync(file, 'utf8')) as Json);
}

/** A window value, `@name` resolved from theme.json's palette for `scheme`. */
function themed(value: unknown, scheme: Scheme): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.startsWith('@')) return value;
  const theme = readJson(path.join(DIST_APP, 'theme.json'));
  const palette = theme[scheme] as Json | undefined;
  const resolved = palette?.[value.slice(1)];
  return typeof resolved === 'string' ? resolved : undefined;
}

/** The navigation bar's colours for a page: its own json first, then app.json's window. */
function navigationBar(page: string, scheme: Scheme): { background: string; color: string } {
  const app = readJson(path.join(DIST_APP, 'app.json'));
  const window = (app.window ?? {}) as Json;
  const own = readJson(path.join(DIST_APP, 'pages', page, 'index.json'));
  const pick = (key: string) => themed(own[key], scheme) ?? themed(window[key], scheme);
  const text = pick('navigationBarTextStyle') ?? 'black';
  return {
    background: pick('navigationBarBackgroundColor') ?? '#ffffff',
    color: text === 'white' ? '#ffffff' : '#000000',
  };
}

/**
 * app.wxss as simulate would compile a page's own WXSS (its classes carry the page's `main--`
 * prefix), with `page` standing for the page's root.
 */
function appStylesheet(): string {
  return once('app.wxss', compileAppStylesheet);
}

function compileAppStylesheet(): string {
  const load = createRequire(path.join(ROOT, 'package.json'));
  const wxss = load('miniprogram-simulate/src/wxss') as {
    compile(css: string, o: { prefix: string }): string;
  };
  const css = wxss.compile(readFileSync(path.join(DIST_APP, 'app.wxss'), 'utf8'), {
    prefix: 'main',
  });
  return rpxToPx(css.replace(/(^|[{},\s])page(?=[\s,{])/g, '$1.preview-page'));
}

export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  );

export interface PictureSource {
  /** The page folder under pages/ whose window settings apply (the sheet borrows one). */
  page: string;
  /** The navigation bar title the page set. */
  title: string;
  /** The rendered DOM (`page.dom.outerHTML`). */
  body: string;
  language: 'zh' | 'en';
}

export function pictureHtml(source: PictureSource, scheme: Scheme): string {
  const styles = Array.from(document.head.querySelectorAll('style'))
    .map((s) => s.textContent ?? '')
    .join('\n');
  const nav = navigationBar(source.page, scheme);
  return `<!doctype html>
<html lang="${source.language === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=375">
<style>${BUILT_INS}</style>
<style>${appStylesheet()}</style>
<style>${styles}</style>
</head><body>
<div class="preview-page">
<div class="preview-nav" style="background:${nav.background};color:${nav.color}">${escapeHtml(source.title)}<span class="preview-nav__capsule"></span></div>
${source.body}
</div>
</body></html>`;
}
