/**
 * Kysely's SqliteDialect prepares every query anew; preparing cost more than running the
 * statement on the hot paths. This hands Kysely a database whose prepare() returns one cached
 * better-sqlite3 Statement per SQL text (least recently used dropped beyond `max`).
 *
 * Safe with how the dialect uses statements: `reader`, `all()`, `run()` and `iterate()` bind their
 * parameters per call and reset afterwards, and we never switch a cached statement's modes
 * (raw/pluck/expand/safeIntegers). A statement still being iterated is "busy": then a fresh,
 * uncached one is prepared, so a nested use never collides with a running iterator.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export interface CachedSqlite extends SqliteDatabase {
  /** Statements currently cached (tests, diagnostics). */
  readonly cached: number;
}

export function withStatementCache(db: BetterSqlite3.Database, max = 200): CachedSqlite {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    get cached() {
      return cache.size;
    },
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit) {
        if (hit.busy) return db.prepare(sql);
        // Map keeps insertion order: re-inserting marks it most recently used.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql);
      cache.set(sql, stmt);
      if (cache.size > max) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      return stmt;
    },
    close(): void {
      cache.clear();
      db.close();
    },
  };
}
