/**
 * Benchmarks are not timed tests; this runs each one at tiny size so none of them rots.
 * It asserts that every benchmark produces finite, positive figures.
 */
import { benches } from '../../bench';
import { ensureBuilt } from '../../dev/dist';

beforeAll(ensureBuilt);

test.each(benches.map((b) => [b.name, b] as const))(
  '%s runs at smoke size',
  async (_name, bench) => {
    const rows = await bench.run({ smoke: true, log: () => undefined });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Number.isFinite(row.value)).toBe(true);
      expect(row.value).toBeGreaterThan(0);
    }
  },
  120_000,
);
