/**
 * One picture's HTML: the DOM miniprogram-simulate rendered, the stylesheets it compiled from the
 * built WXSS (with WeChat's rpx), the app's app.wxss (which WeChat applies to every page), what
 * WeChat's own components look like, and the navigation bar WeChat draws above a page with the
 * page's title and colours (theme.json resolved for light or dark). A page belongs to one of
 * the built apps: the shop (dist/miniprogram) or our cashier mini program (dist/cashier), whose
 * app.json and app.wxss are its own; an app without `darkmode` is drawn light in either scheme,
 * as WeChat does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from '../dist';
import { rpxToPx } from './rpx';

export type Scheme = 'light' | 'dark';

/** A built app root under dist/: the shop, or the cashier mini program it opens half screen. */
export type AppRoot = 'miniprogram' | 'cashier';

type Json = Record<string, unknown>;

const distApp = (app: AppRoot): string => path.join(ROOT, 'dist', app);

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
wx-button[type="primary"] { color: #ffffff; background-color: #07c160; }
wx-button[type="warn"] { color: #fa5151; }
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
/* Half screen: the opener's page dimmed above, the sheet with WeChat's rounded top edge. */
.preview-backdrop { min-height: 100vh; padding-top: 88px; box-sizing: border-box; background: #767676; }
.preview-backdrop > .preview-page { min-height: calc(100vh - 88px); border-radius: 12px 12px 0 0; overflow: hidden; }
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

/** The scheme an app is drawn in: dark only if its app.json opts into darkmode. */
function schemeOf(app: AppRoot, scheme: Scheme): Scheme {
  return readJson(path.join(distApp(app), 'app.json')).darkmode === true ? scheme : 'light';
}

/** A window value, `@name` resolved from the app's theme.json palette for `scheme`. */
function themed(value: unknown, app: AppRoot, scheme: Scheme): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.startsWith('@')) return value;
  const location = readJson(path.join(distApp(app), 'app.json')).themeLocation;
  if (typeof location !== 'string') return undefined;
  const theme = readJson(path.join(distApp(app), location));
  const palette = theme[scheme] as Json | undefined;
  const resolved = palette?.[value.slice(1)];
  return typeof resolved === 'string' ? resolved : undefined;
}

/** The navigation bar's colours for a page: its own json first, then app.json's window. */
function navigationBar(
  app: AppRoot,
  page: string,
  scheme: Scheme,
): { background: string; color: string } {
  const appJson = readJson(path.join(distApp(app), 'app.json'));
  const window = (appJson.window ?? {}) as Json;
  const own = readJson(path.join(distApp(app), 'pages', page, 'index.json'));
  const pick = (key: string) => themed(own[key], app, scheme) ?? themed(window[key], app, scheme);
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
function appStylesheet(app: AppRoot): string {
  return once(`${app}/app.wxss`, () => compileAppStylesheet(app));
}

function compileAppStylesheet(app: AppRoot): string {
  const load = createRequire(path.join(ROOT, 'package.json'));
  const wxss = load('miniprogram-simulate/src/wxss') as {
    compile(css: string, o: { prefix: string }): string;
  };
  const css = wxss.compile(readFileSync(path.join(distApp(app), 'app.wxss'), 'utf8'), {
    prefix: 'main',
  });
  const rooted = css.replace(/(^|[{},\s])page(?=[\s,{])/g, '$1.preview-page');
  return rpxToPx(builtInTagSelectors(rooted));
}

/** WeChat's built-in components a page's WXSS may select by tag (WeChat names them wx-*). */
const BUILT_IN_TAGS = ['button', 'view', 'text', 'image', 'input', 'textarea', 'navigator'];
const TAG_IN_SELECTOR = new RegExp(
  `(^|[\\s>+~,(])(${BUILT_IN_TAGS.join('|')})(?=$|[\\s>+~,):.#[])`,
  'g',
);

/**
 * A page's compiled WXSS with its tag selectors (`button + button`) on the elements simulate
 * renders (`wx-button`); declarations are left alone.
 */
export function builtInTagSelectors(css: string): string {
  return css.replace(/(^|[{}])([^{}]+)(?=\{)/g, (_all, before: string, selector: string) => {
    return before + selector.replace(TAG_IN_SELECTOR, '$1wx-$2');
  });
}

/**
 * Attributes WeChat's own styles of a built-in component key on (a primary button is green).
 * simulate keeps them in its virtual tree only, so the DOM it renders has none of them.
 */
const STYLED_ATTRIBUTES: Record<string, string[]> = { 'wx-button': ['type'] };

interface SimulatedElement {
  __wxElement?: { _vt?: { attrs?: { name: string; value: unknown }[] } };
}

/** A rendered page's DOM as HTML, with the styled attributes of its built-in components. */
export function bodyOf(dom: Element | undefined): string {
  if (!dom) return '';
  const copy = dom.cloneNode(true) as Element;
  for (const [tag, names] of Object.entries(STYLED_ATTRIBUTES)) {
    const copies = copy.querySelectorAll(tag);
    dom.querySelectorAll(tag).forEach((element, i) => {
      const attrs = (element as unknown as SimulatedElement).__wxElement?._vt?.attrs ?? [];
      for (const { name, value } of attrs) {
        if (names.includes(name) && typeof value === 'string' && value !== '') {
          copies[i]?.setAttribute(name, value);
        }
      }
    });
  }
  return copy.outerHTML;
}

export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  );

/**
 * simulate keeps one <style id="…"> per rendered component, keyed by the id simulate.load gave
 * it, and every page's classes carry the same `main--` prefix: a picture takes only the styles
 * of its own app's pages. Ids not named here are the shop's.
 */
const appOfStyle = new Map<string, AppRoot>();

/** Marks the pages loaded as `ids` (simulate.load's) as `app`'s. */
export function stylesBelongTo(app: AppRoot, ...ids: string[]): void {
  for (const id of ids) appOfStyle.set(id, app);
}

export interface PictureSource {
  /** The built app the page belongs to (default the shop, miniprogram). */
  app?: AppRoot;
  /** Shown in a half-screen sheet over the opener (the cashier opened embedded). */
  halfScreen?: boolean;
  /** The page folder under pages/ whose window settings apply (the sheet borrows one). */
  page: string;
  /** The navigation bar title the page set. */
  title: string;
  /** The rendered DOM (`page.dom.outerHTML`). */
  body: string;
  language: 'zh' | 'en';
}

export function pictureHtml(source: PictureSource, requested: Scheme): string {
  const app = source.app ?? 'miniprogram';
  const scheme = schemeOf(app, requested);
  const styles = Array.from(document.head.querySelectorAll('style'))
    .filter((s) => (appOfStyle.get(s.id) ?? 'miniprogram') === app)
    .map((s) => builtInTagSelectors(s.textContent ?? ''))
    .join('\n');
  const nav = navigationBar(app, source.page, scheme);
  const page = `<div class="preview-page">
<div class="preview-nav" style="background:${nav.background};color:${nav.color}">${escapeHtml(source.title)}<span class="preview-nav__capsule"></span></div>
${source.body}
</div>`;
  return `<!doctype html>
<html lang="${source.language === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=375">
<style>${BUILT_INS}</style>
<style>${appStylesheet(app)}</style>
<style>${styles}</style>
</head><body>
${source.halfScreen ? `<div class="preview-backdrop">${page}</div>` : page}
</body></html>`;
}
