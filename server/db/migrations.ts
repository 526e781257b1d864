/** Migrations live in code and run at start; each is written once and never edited. */
import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Database } from './schema';

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('orders')
        .addColumn('order_no', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('goods', 'bigint', (c) => c.notNull())
        .addColumn('shipping', 'bigint', (c) => c.notNull())
        .addColumn('discount', 'bigint', (c) => c.notNull())
        .addColumn('total', 'bigint', (c) => c.notNull())
        .addColumn('items_json', 'text', (c) => c.notNull())
        .addColumn('remark', 'text')
        .addColumn('description', 'varchar(127)', (c) => c.notNull())
        .addColumn('idempotency_key', 'varchar(64)', (c) => c.unique())
        .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('openid', 'varchar(128)')
        .addColumn('prepay_id', 'varchar(64)')
        .addColumn('prepay_at', 'bigint')
        .addColumn('transaction_id', 'varchar(32)')
        .addColumn('paid_at', 'bigint')
        .addColumn('refunded', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('last_query_at', 'bigint')
        .addColumn('next_check_at', 'bigint', (c) => c.notNull())
        .addColumn('claimed_until', 'bigint')
        .execute();
      await db.schema
        .createIndex('orders_status_next_check')
        .on('orders')
        .columns(['status', 'next_check_at'])
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('openid', 'varchar(128)', (c) => c.notNull())
        .addColumn('session_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('notifications')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('event_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('order_no', 'varchar(32)', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('refunds')
        .addColumn('out_refund_no', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('order_no', 'varchar(32)', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('reason', 'varchar(80)')
        .addColumn('refund_id', 'varchar(32)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('refunds_order_no').on('refunds').column('order_no').execute();
    },
  },
  // The order's capability token (SHA-256); orders from before it have none and open by session.
  '0002_order_access': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('orders').addColumn('access_hash', 'varchar(64)').execute();
    },
  },
  // The host mini program that placed the order through the plugin (X-WECHAT-HOSTSIGN).
  '0003_order_host_app': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('orders').addColumn('host_appid', 'varchar(32)').execute();
    },
  },
  // Partner mode: the sub-merchant an order pays, fixed when it is created.
  '0004_order_sub_merchant': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('orders').addColumn('sub_mchid', 'varchar(32)').execute();
    },
  },
  // The channel an order is paid through, fixed by its first payment attempt (null before).
  '0005_order_channel': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('orders').addColumn('channel', 'varchar(16)').execute();
    },
  },
  // The AppID a session was signed in under (null: the owner app, for sessions from before) and
  // the AppID an order is paid under, bound with its payer (null: the owner app).
  '0006_session_app': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('sessions').addColumn('appid', 'varchar(32)').execute();
      await db.schema.alterTable('orders').addColumn('pay_appid', 'varchar(32)').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? failed?.migrationName);
    throw new Error(`database migration failed: ${reason}`);
  }
}
