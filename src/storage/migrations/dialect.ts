import type { Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/**
 * A numbered, forward-only migration. It receives the dialect so the few type differences
 * (integer flags vs. boolean, text vs. timestamptz is avoided on purpose) stay in one file.
 */
export interface LapisMigration {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}
