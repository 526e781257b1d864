/**
 * The prepared-statement cache under Kysely's SqliteDialect on a real better-sqlite3 database:
 * one Statement per SQL text, bounded, a busy statement never handed out twice, and every path
 * Kysely takes (reader → all, writer → run, RETURNING, streaming → iterate, transactions).
 */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { withStatementCache } from '../../server/db/statement-cache';

interface Db {
  t: { id: number; name: string; n: number };
}

describe('withStatementCache', () => {
  let raw: BetterSqlite3.Database;
  beforeEach(() => {
    raw = new BetterSqlite3(':memory:');
    raw.exec('create table t (id integer primary key, name text not null, n integer not null)');
  });
  afterEach(() => {
    if (raw.open) raw.close();
  });

  it('hands out one statement per SQL text and keeps at most max', () => {
    const db = withStatementCache(raw, 3);
    const a = db.prepare('select 1');
    expect(db.prepare('select 1')).toBe(a);
    db.prepare('select 2');
    db.prepare('select 3');
    db.prepare('select 1'); // most recently used again
    db.prepare('select 4'); // evicts "select 2", the least recently used
    expect(db.cached).toBe(3);
    expect(db.prepare('select 1')).toBe(a);
    const before = db.prepare('select 3');
    expect(db.prepare('select 3')).toBe(before);
  });

  it('prepares a fresh statement while the cached one is iterating', () => {
    raw.exec("insert into t values (1, 'a', 1), (2, 'b', 2)");
    const db = withStatementCache(raw);
    const s = db.prepare('select * from t order by id');
    const it = s.iterate([]);
    expect(it.next().done).toBe(false);
    const other = db.prepare('select * from t order by id');
    expect(other).not.toBe(s);
    it.return?.();
    expect(db.prepare('select * from t order by id')).toBe(s);
  });

  it('runs every Kysely path correctly on cached statements', async () => {
    const cached = withStatementCache(raw);
    const k = new Kysely<Db>({ dialect: new SqliteDialect({ database: cached }) });
    try {
      for (let i = 1; i <= 3; i++) {
        const r = await k
          .insertInto('t')
          .values({ id: i, name: `n${i}`, n: i })
          .executeTakeFirst();
        expect(r.insertId).toBe(BigInt(i));
      }
      const upd = await k.updateTable('t').set({ n: 10 }).where('id', '<=', 2).executeTakeFirst();
      expect(upd.numUpdatedRows).toBe(2n);
      const none = await k.updateTable('t').set({ n: 10 }).where('id', '=', 99).executeTakeFirst();
      expect(none.numUpdatedRows).toBe(0n);
      const ret = await k
        .updateTable('t')
        .set({ name: 'x' })
        .where('id', '=', 3)
        .returningAll()
        .executeTakeFirst();
      expect(ret).toEqual({ id: 3, name: 'x', n: 3 });
      const missing = await k
        .updateTable('t')
        .set({ name: 'y' })
        .where('id', '=', 99)
        .returningAll()
        .executeTakeFirst();
      expect(missing).toBeUndefined();
      // Same SQL text, different parameters each time.
      for (const id of [1, 2, 3, 2, 1]) {
        const row = await k.selectFrom('t').selectAll().where('id', '=', id).executeTakeFirst();
        expect(row?.id).toBe(id);
      }
      // Streaming twice, then the same text with all().
      for (let pass = 0; pass < 2; pass++) {
        const seen: number[] = [];
        for await (const row of k.selectFrom('t').select('id').orderBy('id').stream()) {
          seen.push(row.id);
        }
        expect(seen).toEqual([1, 2, 3]);
      }
      expect(
        (await k.selectFrom('t').select('id').orderBy('id').execute()).map((r) => r.id),
      ).toEqual([1, 2, 3]);
      // Transactions: BEGIN/COMMIT/ROLLBACK are cached like any other text.
      await expect(
        k.transaction().execute(async (trx) => {
          await trx.updateTable('t').set({ n: 0 }).execute();
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      const sum = await sql<{ s: number }>`select sum(n) as s from t`.execute(k);
      expect(sum.rows[0]?.s).toBe(23);
      await k.transaction().execute(async (trx) => {
        await trx.deleteFrom('t').where('id', '=', 1).execute();
      });
      expect((await k.selectFrom('t').select('id').execute()).length).toBe(2);
      expect(cached.cached).toBeGreaterThan(5);
    } finally {
      await k.destroy();
    }
    expect(raw.open).toBe(false);
  });

  it('surfaces SQL errors without caching the failed text', () => {
    const db = withStatementCache(raw);
    expect(() => db.prepare('select * from nope')).toThrow(/no such table/);
    expect(db.cached).toBe(0);
  });
});
