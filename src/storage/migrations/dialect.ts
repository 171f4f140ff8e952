import type { Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** Files beside the database that a migration may need: a SQLite store's audit log file (none in memory). */
export interface MigrationFiles {
  auditLog?: string;
}

/**
 * A numbered, forward-only migration. It receives the dialect so the few type differences
 * (integer flags vs. boolean, text vs. timestamptz is avoided on purpose) stay in one file.
 */
export interface LapisMigration {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
  up(db: Kysely<any>, dialect: Dialect, files?: MigrationFiles): Promise<void>;
}
