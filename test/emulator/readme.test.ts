/** dev/emulator/README.md shows the per-context API table exactly as contexts.ts has it. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { apiTableMarkdown } from '../../dev/emulator/api-table';

const README = path.join(__dirname, '../../dev/emulator/README.md');
const BLOCK = /<!-- api-table:start -->\n[^]*?<!-- api-table:end -->/;

it('the README table is the table in contexts.ts', () => {
  const text = readFileSync(README, 'utf8');
  const expected = `<!-- api-table:start -->\n${apiTableMarkdown()}\n<!-- api-table:end -->`;
  if (process.env.UPDATE_README === '1') writeFileSync(README, text.replace(BLOCK, expected));
  expect(readFileSync(README, 'utf8').match(BLOCK)?.[0]).toBe(expected);
});
