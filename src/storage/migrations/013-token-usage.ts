import type { LapisMigration } from './dialect.js';

/** The usage trail: per token, the last few client addresses it was used from, with the user agent each sent last. */
export const tokenUsage: LapisMigration = {
  name: '013-token-usage',
  async up(db) {
    await db.schema
      .createTable('token_usage')
      .addColumn('token_id', 'text', (c) => c.notNull().references('personal_access_tokens.id').onDelete('cascade'))
      .addColumn('client_address', 'text', (c) => c.notNull())
      .addColumn('user_agent', 'text', (c) => c.notNull())
      .addColumn('first_used_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('token_usage_pk', ['token_id', 'client_address'])
      .execute();
  },
};
