/**
 * `npm run preview` (after `gulp build`): pictures of every page and pay-button state, in
 * Chinese and English, at a 375 px phone width in headless Chromium, into preview/ (git-ignored)
 * with an index.html. The pages are the built ones (dist/), on a real server and sandbox.
 *
 *   tsx dev/preview.ts [--out DIR] [--only confirm-ready,result-paid] [--languages zh,en]
 */
// First: pages render into a DOM, which miniprogram-simulate needs before it loads.
import { removeNodeDom } from './node-dom-installed';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCashierPage } from './cashier-app';
import { ROOT, ensureBuilt } from './dist';
import { loadPages } from './pages-harness';
import { startStack } from './stack';
import { escapeHtml, pictureHtml, stylesBelongTo } from './preview/document';
import type { Scheme } from './preview/document';
import { useWeChatRpx } from './preview/rpx';
import type { Language, Scene } from './preview/scenes';
import { SCENES, SHORT_TTL_SECONDS, writeButtonSheet } from './preview/scenes';
import { openCamera } from './preview/shoot';

interface Picture {
  file: string;
  caption: string;
  language: Language;
  scheme: Scheme;
}

/**
 * Pictures also taken in dark mode (the rest are light only). Not the cashier's: it has no
 * darkmode, so WeChat draws it light either way.
 */
const DARK_TOO = new Set(['confirm-ready', 'result-paid', 'buttons']);

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function listOption(name: string): string[] | undefined {
  return option(name)
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function chosenScenes(): Scene[] {
  const only = listOption('only');
  if (!only) return SCENES;
  const unknown = only.filter((name) => !SCENES.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scene ${unknown.join(', ')}; scenes: ${SCENES.map((s) => s.name).join(', ')}`,
    );
  }
  return SCENES.filter((s) => only.includes(s.name));
}

function indexHtml(pictures: Picture[]): string {
  const figures = pictures
    .map(
      (p) =>
        `<figure><img src="${escapeHtml(p.file)}" width="375" alt="${escapeHtml(p.caption)}"><figcaption>${escapeHtml(p.caption)} · ${p.language}${p.scheme === 'dark' ? ' · dark' : ''}</figcaption></figure>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop previews</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;background:#f4f4f4}main{display:flex;flex-wrap:wrap;gap:24px}
figure{margin:0;background:#fff;padding:8px;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.1)}figcaption{font-size:13px;color:#555;margin-top:6px;max-width:375px}
img{display:block;border:1px solid #ddd}</style></head><body><h1>Shop previews</h1>
<p>Regenerate with <code>npm run preview</code>. 375 px wide (750rpx), rendered from dist/ in headless Chromium.</p>
<main>${figures}</main></body></html>`;
}

async function main(): Promise<void> {
  const out = path.resolve(option('out') ?? path.join(ROOT, 'preview'));
  const languages = (listOption('languages') ?? ['zh', 'en']) as Language[];
  const scenes = chosenScenes();
  ensureBuilt();
  useWeChatRpx();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeButtonSheet();
  const ids = loadPages('dist');
  const cashierPage = loadCashierPage('dist');
  stylesBelongTo('cashier', cashierPage);
  const [stack, shortLived] = await Promise.all([
    startStack({ timeScale: 1, serverConfig: { logLevel: 'silent' } }),
    startStack({
      timeScale: 1,
      serverConfig: { logLevel: 'silent', orderTtlSeconds: SHORT_TTL_SECONDS },
    }),
  ]);
  const camera = await openCamera();
  const pictures: Picture[] = [];
  try {
    let n = 0;
    for (const scene of scenes) {
      for (const language of languages) {
        const shot = await scene.capture({
          stack,
          shortLived,
          ids,
          cashierPage,
          language,
          user: `preview-${++n}`,
        });
        const schemes: Scheme[] = DARK_TOO.has(scene.name) ? ['light', 'dark'] : ['light'];
        for (const scheme of schemes) {
          const file = `${scene.name}.${language}${scheme === 'dark' ? '.dark' : ''}.png`;
          const html = pictureHtml({ ...shot, language }, scheme);
          // The page as HTML beside its picture: open it in a browser to inspect the styles.
          writeFileSync(path.join(out, file.replace(/\.png$/, '.html')), html);
          await camera.shoot(html, scheme, path.join(out, file));
          pictures.push({ file, caption: scene.caption, language, scheme });
          console.log(`  ${path.relative(process.cwd(), path.join(out, file))}`);
        }
      }
    }
    writeFileSync(path.join(out, 'index.html'), indexHtml(pictures));
    console.log(
      `${pictures.length} pictures; open ${path.relative(process.cwd(), path.join(out, 'index.html'))}`,
    );
  } finally {
    await camera.close();
    await Promise.all([stack.close(), shortLived.close()]);
    removeNodeDom();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
