/** What every table's repository holds: the database, and which dialect it speaks. */
import type { Kysely } from 'kysely';
import type { DialectName } from './connect';
import type { Database } from './schema';

export abstract class Repository {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly dialect: DialectName,
  ) {}
}
