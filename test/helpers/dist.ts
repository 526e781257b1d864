/** The built WeChat side, for tests that load or inspect dist/. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const DIST = path.join(ROOT, 'dist');

/**
 * `npm test` builds before jest; a lone `jest` run builds here instead, so no test reads a
 * missing dist/. (A stale dist/ is the developer's `npm run watch` to keep fresh.)
 */
export function ensureBuilt(): void {
  const marker = path.join(DIST, 'miniprogram', 'functional-pages', 'request-payment.js');
  if (!existsSync(marker)) {
    // createRequire: the test globals include WeChat's `require`, which has no resolve().
    const gulp = createRequire(__filename).resolve('gulp/bin/gulp.js');
    execFileSync(process.execPath, [gulp, 'build'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  }
}
