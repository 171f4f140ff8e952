import type { LapisMigration } from './dialect.js';

/** Server-side web sessions (revocable, shared by every instance) and the public-client choice of OAuth apps. */
export const webSessions: LapisMigration = {
  name: '006-web-sessions',
  async up(db) {
    await db.schema
      .createTable('web_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('client_address', 'text', (c) => c.notNull())
      .addColumn('user_agent', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('web_sessions_user').on('web_sessions').columns(['user_id', 'created_at']).execute();
    await db.schema.createIndex('web_sessions_expiry').on('web_sessions').column('expires_at').execute();

    await db.schema
      .alterTable('oauth_apps')
      .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
