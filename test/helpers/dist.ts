/** The built WeChat side, for tests that load or inspect dist/. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
    execFileSync(process.execPath, [require.resolve('gulp/bin/gulp.js'), 'build'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  }
}
