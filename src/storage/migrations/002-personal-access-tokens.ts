import type { LapisMigration } from './dialect.js';

export const personalAccessTokens: LapisMigration = {
  name: '002-personal-access-tokens',
  async up(db) {
    await db.schema
      .createTable('personal_access_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
      .addColumn('valid_from', 'text', (c) => c.notNull())
      .addColumn('valid_to', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('last_used_at', 'text')
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .execute();
    await db.schema
      .createIndex('personal_access_tokens_user')
      .on('personal_access_tokens')
      .columns(['user_id', 'created_at'])
      .execute();
  },
};
