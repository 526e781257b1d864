/**
 * 5. Order creation: POST /api/orders per second (price from the catalogue, insert, 201 with the
 * order) on SQLite, and on PostgreSQL when this machine can run the embedded binaries the
 * server's own tests use. Baseline: GET /api/catalog on the same server in the same run (the
 * HTTP + schema floor with no database write).
 */
import { postgresUnavailable, startPostgres } from '../dev/postgres';
import type { TestPostgres } from '../dev/postgres';
import { BENCH_ITEMS, describeLoad, load } from './api';
import type { LoadResult } from './api';
import { startProcessStack } from '../dev/processes';
import type { Bench, BenchOptions, Row } from './report';

async function measure(
  databaseUrl: string | undefined,
  seconds: number,
  log: BenchOptions['log'],
  label: string,
): Promise<{ create: LoadResult; catalog: LoadResult }> {
  const stack = await startProcessStack({ databaseUrl });
  try {
    const common = { url: stack.serverUrl, connections: 16, durationSeconds: seconds };
    const catalog = await load({
      ...common,
      method: 'GET',
      setupRequest: (r) => ({ ...r, path: '/api/catalog' }),
    });
    log(`${label} GET /api/catalog: ${describeLoad(catalog)}`);
    const create = await load({
      ...common,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: BENCH_ITEMS }),
      setupRequest: (r) => ({ ...r, path: '/api/orders' }),
    });
    log(`${label} POST /api/orders: ${describeLoad(create)}`);
    return { create, catalog };
  } finally {
    await stack.close();
  }
}

function rows(db: string, m: { create: LoadResult; catalog: LoadResult }): Row {
  const { create, catalog } = m;
  return {
    benchmark: 'orders',
    metric: `POST /api/orders, ${db}`,
    value: create.okPerSecond,
    unit: '/s',
    baseline: { label: 'GET /api/catalog', value: catalog.okPerSecond },
    note: `p50 ${create.p50} ms, p99 ${create.p99} ms, 16 conns${create.non2xx ? `; ${create.non2xx} non-2xx` : ''}`,
  };
}

export const ordersBench: Bench = {
  name: 'order creation',
  async run({ smoke, log }) {
    const seconds = smoke ? 1 : 5;
    const out: Row[] = [rows('SQLite', await measure(undefined, seconds, log, 'SQLite'))];
    if (smoke) return out;
    const why = postgresUnavailable();
    if (why) {
      log(`PostgreSQL skipped: ${why}`);
      return out;
    }
    let pg: TestPostgres | undefined;
    try {
      pg = await startPostgres();
      out.push(rows('PostgreSQL 18', await measure(pg.url, seconds, log, 'PostgreSQL')));
    } finally {
      await pg?.stop();
    }
    return out;
  },
};
