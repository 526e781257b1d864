/**
 * Regression: pages from different folders rendered in one test file each draw their own
 * template. They were once compiled from different roots (the repository, plugin/, cashier/);
 * each root is one WXML bundle, and every bundle caches its templates in one window-wide table
 * under keys numbered by its own file order ($gwx_1, $gwx_2, …). The plugin's cashier page,
 * rendered after the consumer's checkout, drew another page's template (attribute values as
 * text, a button with no label), on some machines only: the numbering follows the directory
 * listing. dev/simulate-load.ts compiles every page of a tree from the tree's root.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { loadCashierPage } from '../../dev/cashier-app';
import { loadConsumerPage } from '../../dev/consumer-phone';
import { DIST, ROOT } from '../../dev/dist';
import type { Page } from '../../dev/pages-harness';
import { loadFromTree, rootOf } from '../../dev/simulate-load';

function draw(id: string): Page {
  const page = simulate.render(id) as unknown as Page;
  page.attach(document.createElement('page-wrapper'));
  return page;
}

/**
 * One-page mini programs, each page saying its folder's name: `a/` and `b/` compiled as two
 * roots, `c/` and `d/` as one tree (Jest runs a page's script once per file, so a page is loaded
 * once).
 */
const tree = mkdtempSync(path.join(os.tmpdir(), 'simulate-roots-'));
for (const name of ['a', 'b', 'c', 'd']) {
  const dir = path.join(tree, name, 'pages/home');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.json'), '{ "component": true }');
  writeFileSync(path.join(dir, 'index.wxml'), `<view id="says" data-page="${name}">${name}</view>`);
  writeFileSync(path.join(dir, 'index.js'), 'Component({});');
}
afterAll(() => rmSync(tree, { recursive: true, force: true }));

it('a tree is compiled from its own root', () => {
  expect(rootOf('source')).toBe(ROOT);
  expect(rootOf('dist')).toBe(DIST);
  expect(rootOf({ root: tree })).toBe(tree);
});

it('two roots in one file collide: the second page draws the first one’s template', () => {
  // Why the loader exists (simulate's own behaviour, not ours): if this starts passing with
  // its own text, the compiler changed and the rule may be relaxed.
  const a = simulate.load(path.join(tree, 'a/pages/home/index'), {
    rootPath: path.join(tree, 'a'),
  });
  const b = simulate.load(path.join(tree, 'b/pages/home/index'), {
    rootPath: path.join(tree, 'b'),
  });
  expect(draw(a).dom?.textContent).toBe('a');
  expect(draw(b).dom?.textContent).toBe('a');
});

it('one root per tree: each page draws its own template', () => {
  const c = loadFromTree({ root: tree }, 'c/pages/home/index');
  const d = loadFromTree({ root: tree }, 'd/pages/home/index');
  expect(draw(c).dom?.textContent).toBe('c');
  expect(draw(d).dom?.textContent).toBe('d');
});

it('the repository’s pages, the plugin page and the cashier page each draw their own', () => {
  const consumer = loadConsumerPage();
  const pluginPage = loadFromTree('source', 'plugin/pages/cashier/index');
  draw(consumer);

  const plugin = draw(pluginPage);
  expect(plugin.dom?.textContent?.trim()).toBe('正在读取订单…');
  plugin.setData({ phase: 'ready', orderNo: 'WP1', amount: '¥1.00', offered: true, canOpen: true });
  expect(plugin.querySelector('#amount')?.dom?.textContent).toBe('¥1.00');
  expect(plugin.querySelector('#pay')?.dom?.textContent?.trim()).toBe('去收银台支付');

  const pay = draw(loadCashierPage());
  expect(pay.querySelector('#loading')?.dom?.textContent?.trim()).toBe('正在读取订单…');
});

it('nothing else in dev/ or test/ picks a root of its own', () => {
  const own = new Set(['dev/simulate-load.ts', 'test/miniprogram/simulate-load.test.ts']);
  const offenders = ['dev', 'test']
    .flatMap((dir) =>
      readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((file) =>
        path.join(dir, file),
      ),
    )
    .filter((file) => file.endsWith('.ts') && !own.has(file))
    .filter((file) => readFileSync(path.join(ROOT, file), 'utf8').includes('rootPath'));
  expect(offenders).toEqual([]);
});
