/**
 * 7. Sizes of what ships to phones: a release build (for an https server, no sandbox payer),
 * made into .cache/release-dist for the measurement; the development dist/ carries extras.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildRelease } from '../dev/dist';
import type { Bench } from './report';

const ROOT = path.resolve(__dirname, '..');

export function bytesOf(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => {
    const full = path.join(dir, name);
    const st = statSync(full);
    return sum + (st.isDirectory() ? bytesOf(full) : st.size);
  }, 0);
}

/** `require('x')` of anything but a relative path: npm code that would have to ship too. */
export function bareRequires(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) found.push(...bareRequires(full));
    else if (name.endsWith('.js'))
      for (const m of readFileSync(full, 'utf8').matchAll(/require\(["']([^"']+)["']\)/g))
        if (!m[1]?.startsWith('.')) found.push(`${path.relative(ROOT, full)}: ${m[1]}`);
  }
  return found;
}

export const sizesBench: Bench = {
  name: 'sizes',
  async run() {
    const dist = buildRelease();
    const plugin = bytesOf(path.join(dist, 'plugin'));
    const fp = bytesOf(path.join(dist, 'miniprogram', 'functional-pages'));
    const orders = statSync(path.join(dist, 'plugin', 'orders.js')).size;
    // The plugin's pages (the half-screen cashier page) load only when a host opens one.
    const pages = bytesOf(path.join(dist, 'plugin', 'pages'));
    const mp = bytesOf(path.join(dist, 'miniprogram'));
    const budget = 16 * 1024;
    const bare = [
      ...bareRequires(path.join(dist, 'plugin')),
      ...bareRequires(path.join(dist, 'miniprogram', 'functional-pages')),
    ];
    return [
      { benchmark: 'sizes', metric: 'release plugin/', value: plugin, unit: 'B' },
      { benchmark: 'sizes', metric: 'release functional-pages/', value: fp, unit: 'B' },
      {
        benchmark: 'sizes',
        metric: 'release plugin/orders.js (order API)',
        value: orders,
        unit: 'B',
      },
      {
        benchmark: 'sizes',
        metric: 'release plugin/pages/ (the cashier page, half-screen)',
        value: pages,
        unit: 'B',
      },
      {
        benchmark: 'sizes',
        // The pay path every host ships: pay-button, plugin main, functional page. The order API
        // (orders.js) serves third-party hosts and the cashier page hosts that open it: both are
        // reported on their own.
        metric: 'pay path: plugin (without the order API and pages) + functional-pages',
        value: plugin - orders - pages + fp,
        unit: 'B',
        baseline: { label: '16 KB budget', value: budget },
        goal: '≤ 1.00×',
        note:
          bare.length === 0
            ? 'no runtime npm code (only relative requires)'
            : `bare requires: ${bare.join(', ')}`,
      },
      {
        benchmark: 'sizes',
        metric: 'release plugin + functional-pages',
        value: plugin + fp,
        unit: 'B',
      },
      { benchmark: 'sizes', metric: 'release miniprogram/ (whole)', value: mp, unit: 'B' },
    ];
  },
};
