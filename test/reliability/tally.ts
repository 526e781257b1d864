/**
 * Counts what the reliability suite tried and what held, per group and database, so the run can
 * print one table (test/reliability/reporter.js). A case is an async check: it held when it
 * resolved; a failing case is counted, then fails its test as usual. Each test file writes its
 * counts to .cache/reliability/runs/<run>/ when it ends; the reporter adds them up after the run.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const TALLY_DIR = path.join(__dirname, '..', '..', '.cache', 'reliability');

export type Group =
  | 'notifications'
  | 'faults'
  | 'crashes'
  | 'concurrency'
  | 'bad input'
  | 'access'
  | 'secrets'
  | 'instances';

export interface TallyFile {
  group: Group;
  database: string;
  tried: number;
  held: number;
  failed: string[];
}

export interface Tally {
  /** Runs one case; counts it tried, and held when `check` resolves. */
  check<T>(name: string, check: () => Promise<T> | T): Promise<T>;
  /** Adds `n` cases tried and `held` of them held (a property run counts each generated input). */
  add(n: number, held: number, failedName?: string): void;
}

/** A tally for this test file, written in its afterAll. `database`: sqlite, postgres or '-'. */
export function useTally(group: Group, database = '-'): Tally {
  const counts: TallyFile = { group, database, tried: 0, held: 0, failed: [] };
  afterAll(() => {
    if (counts.tried === 0) return;
    // The reporter names the run (RELIABILITY_RUN_ID); without it (no reporter) nothing is kept.
    const run = process.env.RELIABILITY_RUN_ID;
    if (!run) return;
    const dir = path.join(TALLY_DIR, 'runs', run);
    mkdirSync(dir, { recursive: true });
    const file = `${group.replace(/\W/g, '-')}-${database}-${randomBytes(4).toString('hex')}.json`;
    writeFileSync(path.join(dir, file), JSON.stringify(counts));
  });
  return {
    async check(name, check) {
      counts.tried += 1;
      try {
        const value = await check();
        counts.held += 1;
        return value;
      } catch (err) {
        counts.failed.push(name);
        throw err;
      }
    },
    add(n, held, failedName) {
      counts.tried += n;
      counts.held += held;
      if (held < n && failedName) counts.failed.push(failedName);
    },
  };
}
