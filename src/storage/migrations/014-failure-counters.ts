import type { LapisMigration } from './dialect.js';

/** Failed-authentication counts that every instance on the database shares (one fixed window per key). */
export const failureCounters: LapisMigration = {
  name: '014-failure-counters',
  async up(db) {
    await db.schema
      .createTable('failure_counters')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('window_started_at', 'text', (c) => c.notNull())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('failure_counters_window').on('failure_counters').column('window_started_at').execute();
  },
};
