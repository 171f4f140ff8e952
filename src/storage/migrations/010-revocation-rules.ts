import type { LapisMigration } from './dialect.js';

/** An organization's PAT revocation rules: every token with one of the scopes, created before a time, stops working. */
export const revocationRules: LapisMigration = {
  name: '010-revocation-rules',
  async up(db) {
    await db.schema
      .createTable('pat_revocation_rules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_before', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};
