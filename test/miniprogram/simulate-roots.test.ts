/**
 * Why dev/simulate-load.ts exists, shown on two tiny mini programs of our own (a test file of
 * its own: the bundles compiled here would collide with the repository's in the same file).
 *
 * miniprogram-simulate compiles WXML with WeChat's compiler, one bundle per root folder, and
 * every bundle caches its templates in one window-wide table under keys numbered by its own file
 * order ($gwx_1, $gwx_2, …). Pages compiled from two roots in one test file can draw each
 * other's templates. It happened: the plugin's cashier page (compiled from plugin/), drawn after
 * the consumer's checkout (compiled from the repository), showed another page's template
 * (attribute values as text, a button with no label), on fresh clones only: the numbering
 * follows every .wxml under the root, and other tests write some (.cache/release-dist/,
 * dist/preview-sheet/).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { DIST, ROOT } from '../../dev/dist';
import type { Page } from '../../dev/pages-harness';
import { loadFromTree, rootOf, templatesOf } from '../../dev/simulate-load';

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

it('the repository’s bundle is its source pages only, whatever other runs generated', () => {
  const files = templatesOf(ROOT);
  expect(files).toEqual(expect.arrayContaining(['plugin/pages/cashier/index.wxml']));
  expect(files).toEqual([...files].sort());
  // dist/ is a tree of its own; .cache/release-dist/ and dist/preview-sheet/ come and go.
  expect(files.filter((f) => /^(\.|dist\/|node_modules\/|build\/|preview\/)/.test(f))).toEqual([]);
});

it('two roots in one file collide: the second page draws the first one’s template', () => {
  // simulate's own behaviour, not ours: if this starts drawing 'b', the compiler changed and
  // the one-tree rule may be relaxed.
  const a = simulate.load(path.join(tree, 'a/pages/home/index'), {
    rootPath: path.join(tree, 'a'),
  });
  const b = simulate.load(path.join(tree, 'b/pages/home/index'), {
    rootPath: path.join(tree, 'b'),
  });
  expect(draw(a).dom?.textContent).toBe('a');
  expect(draw(b).dom?.textContent).toBe('a');
});

it('one root per tree: each page draws its own template; a second tree is refused', () => {
  const c = loadFromTree({ root: tree }, 'c/pages/home/index');
  const d = loadFromTree({ root: tree }, 'd/pages/home/index');
  expect(draw(c).dom?.textContent).toBe('c');
  expect(draw(d).dom?.textContent).toBe('d');
  expect(() => loadFromTree('source', 'plugin/pages/cashier/index')).toThrow(
    /one tree per test file/,
  );
});

it('nothing else in dev/ or test/ picks a root of its own', () => {
  const own = new Set(['dev/simulate-load.ts', 'test/miniprogram/simulate-roots.test.ts']);
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
