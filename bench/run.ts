/**
 * `npm run bench`: runs every benchmark (progress line each), then prints one table.
 * `--smoke` runs each at tiny size; `--profile` adds a --cpu-prof run of the server to `pay`; `--only <name>` runs the ones whose name contains it.
 * Every figure is compared with a baseline measured in the same run: this machine is shared.
 */
import { benches } from './index';
import type { Row } from './report';
import { table } from './report';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const profile = args.includes('--profile');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  const selected = benches.filter((b) => !only || b.name.includes(only));
  const rows: Row[] = [];
  const started = Date.now();
  for (const [i, bench] of selected.entries()) {
    const t0 = Date.now();
    process.stdout.write(`[${i + 1}/${selected.length}] ${bench.name} …\n`);
    rows.push(...(await bench.run({ smoke, profile, log: (line) => console.log(`    ${line}`) })));
    process.stdout.write(
      `[${i + 1}/${selected.length}] ${bench.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  }
  console.log(
    `\n${new Date().toISOString()} · node ${process.version} · ${((Date.now() - started) / 1000).toFixed(0)} s${smoke ? ' · smoke' : ''}\n`,
  );
  console.log(table(rows));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
