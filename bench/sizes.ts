/** 7. Sizes of what ships to phones, from the built dist/. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Bench } from './report';

const ROOT = path.resolve(__dirname, '..');

export function bytesOf(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => {
    const full = path.join(dir, name);
    const st = statSync(full);
    return sum + (st.isDirectory() ? bytesOf(full) : st.size);
  }, 0);
}

export const sizesBench: Bench = {
  name: 'sizes',
  async run() {
    const dist = path.join(ROOT, 'dist');
    const plugin = bytesOf(path.join(dist, 'plugin'));
    const fp = bytesOf(path.join(dist, 'miniprogram', 'functional-pages'));
    const mp = bytesOf(path.join(dist, 'miniprogram'));
    const budget = 16 * 1024;
    return [
      { benchmark: 'sizes', metric: 'dist/plugin', value: plugin, unit: 'B' },
      { benchmark: 'sizes', metric: 'dist/miniprogram/functional-pages', value: fp, unit: 'B' },
      {
        benchmark: 'sizes',
        metric: 'plugin + functional-pages',
        value: plugin + fp,
        unit: 'B',
        baseline: { label: '16 KB budget', value: budget },
        goal: '≤ 1.00×',
      },
      { benchmark: 'sizes', metric: 'dist/miniprogram (whole)', value: mp, unit: 'B' },
    ];
  },
};
