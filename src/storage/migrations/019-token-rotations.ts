import type { LapisMigration } from './dialect.js';

/**
 * One row per rotated token. The primary key on the old token makes a second rotation of it fail in the database
 * (two rotations racing mint one successor); the unique key per user and Idempotency-Key does the same for a
 * key sent with two requests at once.
 */
export const tokenRotations: LapisMigration = {
  name: '019-token-rotations',
  async up(db) {
    await db.schema
      .createTable('token_rotations')
      .addColumn('token_id', 'text', (c) => c.primaryKey().references('personal_access_tokens.id').onDelete('cascade'))
      .addColumn('successor_id', 'text', (c) => c.notNull().references('personal_access_tokens.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('idempotency_key_hash', 'text')
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('grace_seconds', 'integer', (c) => c.notNull())
      .addColumn('grace_ends_at', 'text', (c) => c.notNull())
      .addColumn('successor_sealed', 'text')
      .addColumn('replay_until', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('ended_at', 'text')
      .execute();
    await db.schema
      .createIndex('token_rotations_idempotency_key')
      .on('token_rotations')
      .columns(['user_id', 'idempotency_key_hash'])
      .unique()
      .execute();
    await db.schema.createIndex('token_rotations_successor').on('token_rotations').column('successor_id').execute();
    await db.schema
      .createIndex('token_rotations_grace_end')
      .on('token_rotations')
      .columns(['ended_at', 'grace_ends_at'])
      .execute();
  },
};
