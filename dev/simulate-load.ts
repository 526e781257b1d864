/**
 * The one way tests and previews load a page or component into miniprogram-simulate: always
 * compiled from the root of its tree (the repository for source, dist/ for the build, or a
 * release build's own directory), never from a sub-folder such as plugin/ or cashier/.
 *
 * Why: simulate compiles WXML with WeChat's own compiler, one bundle per root folder, and every
 * bundle caches its compiled templates in one window-wide table under keys numbered by the
 * bundle's file list ($gwx_1, $gwx_2, …). Two roots in one test file give two bundles whose
 * keys collide, and the page rendered second draws the first bundle's template (attribute values
 * as text, empty buttons). Left to itself simulate lists every .wxml under the root, generated
 * ones included (dist/, .cache/release-dist/, dist/preview-sheet/, written by other tests), so
 * the numbering, and the collision, came and went between runs. One root per tree means one
 * bundle and no collision; the file list is ours too (below), the same on every run and without
 * simulate's two walks of the whole repository per test file.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { DIST, ROOT } from './dist';

/** Where a tree's pages live: the repository (source), dist/ (built), or any built directory. */
export type Tree = 'source' | 'dist' | { root: string };

export function rootOf(tree: Tree): string {
  if (tree === 'source') return ROOT;
  if (tree === 'dist') return DIST;
  return tree.root;
}

export interface LoadOptions {
  /** The custom element's name (simulate's default is `main`); also its class prefix. */
  tagName?: string;
  /** Extra usingComponents, as absolute paths from the tree's root (`/plugin/…`). */
  usingComponents?: Record<string, string>;
}

/**
 * What this module (one per Jest test file, like simulate's caches) compiles from: the first
 * tree's root and its file lists, read once (simulate compiles a root's bundle on its first
 * load and keeps it).
 */
let compiled: { root: string; wxmlList: string[]; wxsList: string[] } | undefined;

/**
 * Folders no page of a tree lives in: dependencies, and the repository's build output and
 * pictures beside its source (dist/ is a tree of its own). Dot folders (.git, .cache) too.
 */
const NOT_PAGES = new Set(['node_modules', 'dist', 'build', 'preview']);

/** Every template (.wxml) and script module (.wxs) of the tree, relative to `dir`, sorted. */
export function templatesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      if (entry.isDirectory()) {
        if (entry.name.startsWith('.') || NOT_PAGES.has(entry.name)) return [];
        return templatesOf(path.join(dir, entry.name)).map((f) => `${entry.name}/${f}`);
      }
      return /\.(wxml|wxs)$/.test(entry.name) ? [entry.name] : [];
    })
    .sort();
}

/**
 * Loads `file` (a path inside the tree, without extension) and returns simulate's id. A second
 * tree in the same test file (or process) is refused: its templates could draw another page's.
 */
export function loadFromTree(tree: Tree, file: string, options: LoadOptions = {}): string {
  const root = rootOf(tree);
  if (compiled && compiled.root !== root) {
    throw new Error(
      `simulate already compiled pages from ${compiled.root}; loading ${file} from ${root} too ` +
        'would share its template cache keys: use one tree per test file',
    );
  }
  if (!compiled) {
    const files = templatesOf(root);
    compiled = {
      root,
      wxmlList: files.filter((f) => f.endsWith('.wxml')),
      wxsList: files.filter((f) => f.endsWith('.wxs')),
    };
  }
  return simulate.load(path.join(root, file), options.tagName ?? '', {
    rootPath: root,
    compilerOptions: { wxmlList: compiled.wxmlList, wxsList: compiled.wxsList },
    ...(options.usingComponents ? { usingComponents: options.usingComponents } : {}),
  });
}
