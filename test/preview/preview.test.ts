/**
 * `npm run preview` cannot rot: a few states rendered by the real script (built pages, real
 * server and sandbox, headless Chromium) must give PNGs at WeChat's 375 px phone width (×2),
 * different from one another, listed by the index page. Images are compared by content hash:
 * two states that render the same are a broken preview (or a broken page).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../dev/dist';

const run = promisify(execFile);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let out: string;
let stdout: string;

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'preview-test-'));
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const args = [
    'dev/preview.ts',
    '--out',
    out,
    '--only',
    'confirm-ready,result-paid,buttons,cashier-ready',
    '--languages',
    'zh,en',
  ];
  ({ stdout } = await run(tsx, args, { cwd: ROOT, timeout: 120_000 }));
}, 150_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Width and height from the PNG's IHDR chunk. */
function sizeOf(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

test('every chosen state is a PNG at 375 px ×2, and no two are alike', () => {
  const files = readdirSync(out)
    .filter((f) => f.endsWith('.png'))
    .sort();
  expect(files).toEqual([
    'buttons.en.dark.png',
    'buttons.en.png',
    'buttons.zh.dark.png',
    'buttons.zh.png',
    // The cashier mini program (dist/cashier) has no dark mode: light only.
    'cashier-ready.en.png',
    'cashier-ready.zh.png',
    'confirm-ready.en.dark.png',
    'confirm-ready.en.png',
    'confirm-ready.zh.dark.png',
    'confirm-ready.zh.png',
    'result-paid.en.dark.png',
    'result-paid.en.png',
    'result-paid.zh.dark.png',
    'result-paid.zh.png',
  ]);
  const hashes = new Set<string>();
  for (const file of files) {
    const png = readFileSync(path.join(out, file));
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const { width, height } = sizeOf(png);
    expect(width).toBe(750);
    expect(height).toBeGreaterThanOrEqual(812 * 2);
    // A blank page compresses to almost nothing; a rendered one does not.
    expect(png.length).toBeGreaterThan(20_000);
    hashes.add(createHash('sha256').update(png).digest('hex'));
  }
  expect(hashes.size).toBe(files.length);
  expect(stdout).toMatch(/14 pictures/);
});

test('the index page shows every picture', () => {
  const index = readFileSync(path.join(out, 'index.html'), 'utf8');
  for (const file of readdirSync(out).filter((f) => f.endsWith('.png'))) {
    expect(index).toContain(`src="${file}"`);
  }
});

test("the cashier's picture is its own app's: half screen, its styles and none of the shop's", () => {
  const html = readFileSync(path.join(out, 'cashier-ready.zh.html'), 'utf8');
  expect(html).toContain('preview-backdrop');
  expect(html).toContain('收银台');
  expect(html).toMatch(/<wx-button[^>]*type="primary"[^>]*>微信支付</);
  expect(html).toContain('返回商家');
  expect(html).toContain('wx-button+wx-button');
  // The shop's order page was rendered first in this run; its classes stay out.
  expect(html).not.toContain('main--btn--pay');
  expect(readFileSync(path.join(out, 'confirm-ready.zh.html'), 'utf8')).toContain('main--btn--pay');
});
