/**
 * One Kysely over either SQLite (better-sqlite3, the default: a file under var/, WAL) or
 * PostgreSQL (pg) when the URL starts with postgres:// or postgresql://.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Pool, types as pgTypes } from 'pg';
import { migrateToLatest } from './migrations';
import type { Database } from './schema';
import { NotificationsRepository } from './notifications';
import { OrdersRepository } from './orders';
import { RefundsRepository } from './refunds';
import { SessionsRepository } from './sessions';
import { withStatementCache } from './statement-cache';

export type DialectName = 'sqlite' | 'postgres';

/** The database and a repository per table: services reach SQL only through these. */
export interface Storage {
  db: Kysely<Database>;
  dialect: DialectName;
  orders: OrdersRepository;
  refunds: RefundsRepository;
  sessions: SessionsRepository;
  notifications: NotificationsRepository;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

const INT8_OID = 20;

/** PostgreSQL bigint arrives as text: parse it here, at the edge, and refuse unsafe values. */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`bigint ${value} exceeds the safe integer range`);
  return n;
}

/**
 * A connection to `url` with this project's settings (bigint as number, SQLite in WAL mode),
 * without migrations or repositories: openStorage builds on it, and tests that only read a
 * running server's database use it alone. `poolSize`: PostgreSQL connections it may hold.
 */
export function connectDatabase(
  url: string,
  poolSize = 10,
): { db: Kysely<Database>; dialect: DialectName } {
  if (isPostgresUrl(url)) {
    const pool = new Pool({
      connectionString: url,
      max: poolSize,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID
            ? parseInt8
            : pgTypes.getTypeParser(oid, format)) as typeof pgTypes.getTypeParser,
      },
    });
    // An idle client dropped by the server (restart, failover) must not crash the process;
    // the pool replaces it on the next query.
    pool.on('error', (err) => {
      process.emitWarning(`PostgreSQL idle client error: ${err.message}`);
    });
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      dialect: 'postgres',
    };
  }
  if (url !== ':memory:') mkdirSync(dirname(url), { recursive: true });
  const sqlite = new BetterSqlite3(url);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  return {
    db: new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    }),
    dialect: 'sqlite',
  };
}

/** `poolSize`: PostgreSQL connections this process may hold (N instances hold N × poolSize). */
export async function openStorage(url: string, poolSize = 10): Promise<Storage> {
  const { db, dialect } = connectDatabase(url, poolSize);
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return {
    db,
    dialect,
    orders: new OrdersRepository(db, dialect),
    refunds: new RefundsRepository(db, dialect),
    sessions: new SessionsRepository(db, dialect),
    notifications: new NotificationsRepository(db, dialect),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
