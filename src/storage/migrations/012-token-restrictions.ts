import type { LapisMigration } from './dialect.js';

/**
 * A PAT's restrictions (projects, read-only, address ranges, rate) as one JSON text, null when it has none: they are
 * read with the token by hash, so checking them costs no query of its own.
 */
export const tokenRestrictions: LapisMigration = {
  name: '012-token-restrictions',
  async up(db) {
    await db.schema.alterTable('personal_access_tokens').addColumn('restrictions', 'text').execute();
  },
};
