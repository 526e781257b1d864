/**
 * The one way tests and previews load a page or component into miniprogram-simulate: always
 * compiled from the root of its tree (the repository for source, dist/ for the build, or a
 * release build's own directory), never from a sub-folder such as plugin/ or cashier/.
 *
 * Why: simulate compiles WXML with WeChat's own compiler, one bundle per root folder, and every
 * bundle caches its compiled templates in one window-wide table under keys numbered by the
 * bundle's file order ($gwx_1, $gwx_2, …). Two roots in one test file give two bundles whose
 * keys collide, and the page rendered second draws the first bundle's template (attribute values
 * as text, empty buttons). Which file gets which number follows the directory listing, so the
 * collision came and went between machines; one root per tree means one bundle and no collision.
 */
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

/** The root this module (one per Jest test file, like simulate's caches) has compiled from. */
let compiledRoot: string | undefined;

/**
 * Loads `file` (a path inside the tree, without extension) and returns simulate's id. A second
 * tree in the same test file (or process) is refused: its templates could draw another page's.
 */
export function loadFromTree(tree: Tree, file: string, options: LoadOptions = {}): string {
  const root = rootOf(tree);
  if (compiledRoot !== undefined && compiledRoot !== root) {
    throw new Error(
      `simulate already compiled pages from ${compiledRoot}; loading ${file} from ${root} too ` +
        'would share its template cache keys: use one tree per test file',
    );
  }
  compiledRoot = root;
  return simulate.load(path.join(root, file), options.tagName ?? '', {
    rootPath: root,
    ...(options.usingComponents ? { usingComponents: options.usingComponents } : {}),
  });
}
