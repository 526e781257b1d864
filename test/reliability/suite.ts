/**
 * What the reliability suite's files share: the databases to run on (PostgreSQL when this
 * machine can start one, loudly skipped otherwise) and a stack per database.
 */
import { postgresUnavailable, startPostgres } from '../../dev/postgres';
import type { TestPostgres } from '../../dev/postgres';
import { startStack } from '../../dev/stack';
import type { Stack, StackOptions } from '../../dev/stack';

export type Database = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL unless it cannot start here (then said once per file). */
export function databases(what: string): Database[] {
  const problem = postgresUnavailable();
  if (problem) console.warn(`\n!!! PostgreSQL ${what} SKIPPED: ${problem} !!!\n`);
  return problem ? ['sqlite'] : ['sqlite', 'postgres'];
}

/**
 * A stack on `db` for the enclosing describe: started in beforeAll, closed in afterAll. Read
 * `.stack` inside tests. Jobs are off unless `serverConfig` turns them on.
 */
export function useStack(db: Database, options: StackOptions = {}): { readonly stack: Stack } {
  let pg: TestPostgres | undefined;
  let stack: Stack | undefined;
  beforeAll(async () => {
    if (db === 'postgres') pg = await startPostgres();
    stack = await startStack({
      ...options,
      serverConfig: {
        jobsEnabled: false,
        ...options.serverConfig,
        ...(pg ? { databaseUrl: pg.url } : {}),
      },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await pg?.stop();
  });
  return {
    get stack(): Stack {
      if (!stack) throw new Error('the stack is not started yet (use it inside a test)');
      return stack;
    },
  };
}

/** Row counts of every table: a refusal must leave all of them as they were. */
export async function tableCounts(stack: Stack): Promise<Record<string, number>> {
  const db = stack.server.storage.db;
  const out: Record<string, number> = {};
  for (const table of ['orders', 'refunds', 'sessions', 'notifications'] as const) {
    const r = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(r.n);
  }
  return out;
}
