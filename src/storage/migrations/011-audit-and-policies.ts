import type { LapisMigration } from './dialect.js';

/**
 * The audit log (one row per event, filtered by organization and time, read newest first by id) and the
 * organizations' token policies (one row per organization and policy).
 */
export const auditAndPolicies: LapisMigration = {
  name: '011-audit-and-policies',
  async up(db) {
    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('timestamp', 'text', (c) => c.notNull())
      // No foreign keys: the log outlives the users, organizations and tokens it mentions.
      .addColumn('organization_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('actor_name', 'text', (c) => c.notNull())
      .addColumn('via', 'text')
      .addColumn('ip_address', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_organization').on('audit_log').columns(['organization_id', 'id']).execute();
    await db.schema.createIndex('audit_log_timestamp').on('audit_log').column('timestamp').execute();

    await db.schema
      .createTable('organization_policies')
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('policy', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('max_days', 'integer')
      .addColumn('allowed_user_ids', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('organization_policies_pk', ['organization_id', 'policy'])
      .execute();
  },
};
