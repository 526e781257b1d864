/** Shared shape of benchmark results and the table printer. */

export interface Row {
  benchmark: string;
  metric: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run. */
  baseline?: { label: string; value: number };
  /** Goal for the ratio (value ÷ baseline), if the issue sets one. */
  goal?: string;
  note?: string;
}

export interface BenchOptions {
  /** Tiny sizes: proves the script still runs (used by the test suite). */
  smoke: boolean;
  /** Also profile the server with --cpu-prof where a bench supports it (`--profile`). */
  profile?: boolean;
  /** Progress output. */
  log: (line: string) => void;
}

export interface Bench {
  name: string;
  run(options: BenchOptions): Promise<Row[]>;
}

export function ratio(row: Row): number | undefined {
  return row.baseline && row.baseline.value !== 0 ? row.value / row.baseline.value : undefined;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** A Markdown table, so the same text goes to the terminal and to bench/README.md. */
export function table(rows: readonly Row[]): string {
  const header = ['benchmark', 'metric', 'value', 'baseline (same run)', 'ratio', 'goal', 'note'];
  const lines = rows.map((r) => {
    const q = ratio(r);
    return [
      r.benchmark,
      r.metric,
      `${fmt(r.value)} ${r.unit}`,
      r.baseline ? `${r.baseline.label}: ${fmt(r.baseline.value)}` : '',
      q === undefined ? '' : `${q.toFixed(2)}×`,
      r.goal ?? '',
      r.note ?? '',
    ];
  });
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)));
  const render = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join(
    '\n',
  );
}

/** Runs `fn` repeatedly for about `ms` milliseconds; returns operations per second. */
export function opsPerSecond(fn: () => void, ms: number): number {
  const started = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let n = 0;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 16; i++) fn();
    n += 16;
    elapsed = process.hrtime.bigint() - started;
  }
  return n / (Number(elapsed) / 1e9);
}
