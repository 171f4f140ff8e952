import type { LapisMigration } from './dialect.js';

/** One fingerprint per key purpose, so instances sharing the database can tell that they share their keys. */
export const keyFingerprints: LapisMigration = {
  name: '007-key-fingerprints',
  async up(db) {
    await db.schema
      .createTable('key_fingerprints')
      .addColumn('purpose', 'text', (c) => c.primaryKey())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .execute();
  },
};
