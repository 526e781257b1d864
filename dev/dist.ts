/**
 * The built WeChat side, for tests that load or inspect dist/. Every jest run goes through
 * `ensureBuilt()` (the global setup calls it), so a test never reads a dist/ older than the
 * source it stands for: a lone `npx jest test/functional-pages` rebuilds when anything the
 * build reads changed, and `npm test`, which builds first, finds dist/ fresh and skips it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const DIST = path.join(ROOT, 'dist');

/** What `gulp build` reads: any of these newer than the build means dist/ is stale. */
const SOURCES = [
  'miniprogram',
  'functional-pages',
  'plugin',
  'consumer',
  'cashier',
  'typings',
  'gulpfile.ts',
  'project.config.json',
];
const MARKER = path.join(DIST, 'miniprogram', 'functional-pages', 'request-payment.js');

function newestMtime(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file shows as a newer directory
  for (const name of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

export function distIsStale(): boolean {
  if (!existsSync(MARKER)) return true;
  const built = statSync(MARKER).mtimeMs;
  return SOURCES.some((s) => {
    const p = path.join(ROOT, s);
    return existsSync(p) && newestMtime(p) > built;
  });
}

function runGulpBuild(env: NodeJS.ProcessEnv = process.env): void {
  // createRequire: the test globals include WeChat's `require`, which has no resolve(); and
  // gulp's `exports` hide bin/, so it is found beside the package's main file.
  const gulp = path.join(path.dirname(createRequire(__filename).resolve('gulp')), 'bin', 'gulp.js');
  execFileSync(process.execPath, [gulp, 'build'], { cwd: ROOT, stdio: 'inherit', env });
}

/** Rebuilds dist/ when stale; gulp's own output is shown, and a failed build fails the run. */
export function ensureBuilt(): void {
  if (!distIsStale()) return;
  process.stderr.write('dist/ is older than its sources: running gulp build\n');
  runGulpBuild();
}

/** Where the release-build check builds (the plugin-scope transform knows this folder). */
export const RELEASE_DIST = path.join(ROOT, '.cache', 'release-dist');

/** A release build, as a merchant would make one for their https server: into RELEASE_DIST. */
export function buildRelease(apiBaseUrl = 'https://shop.example.com'): string {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MP_DIST_DIR: RELEASE_DIST,
    MP_API_BASE_URL: apiBaseUrl,
  };
  delete env.MP_SANDBOX_URL;
  runGulpBuild(env);
  return RELEASE_DIST;
}
