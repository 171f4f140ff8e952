import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';

/**
 * Kysely begins SQLite transactions as DEFERRED: the first read takes a snapshot and the first write must
 * then upgrade it to the write lock. When another connection (the CLI beside the server) has written since
 * that snapshot, SQLite cannot upgrade and fails at once with "database is locked", busy timeout or not.
 * BEGIN IMMEDIATE takes the write lock first, where the busy timeout does apply. Every Lapis transaction
 * writes, so none pays for a lock it would not have needed.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Kysely's SQLite dialect whose transactions begin IMMEDIATE. */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
