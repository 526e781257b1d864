/** The sessions table: rows keyed by the SHA-256 of the bearer token (the token is never stored). */
import type { Insertable } from 'kysely';
import { Repository } from './repository';
import type { SessionsTable } from './schema';

export class SessionsRepository extends Repository {
  async insert(row: Insertable<SessionsTable>): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  find(
    tokenHash: string,
  ): Promise<{ openid: string; appid: string | null; expires_at: number } | undefined> {
    return this.db
      .selectFrom('sessions')
      .select(['openid', 'appid', 'expires_at'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  async deleteExpired(now: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }
}
