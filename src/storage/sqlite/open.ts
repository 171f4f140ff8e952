import Sqlite from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Database } from '../kysely/schema.js';
import { createKyselyStore, type KyselyStore } from '../kysely/store.js';
import { DuplicateKeyError, StorageUnavailableError } from '../ports.js';
import { openAuditLog } from './audit-log-file.js';
import { SqliteChangeFeed } from './change-feed.js';
import { ImmediateSqliteDialect } from './immediate-dialect.js';
import { createPrivateFile } from './private-file.js';
import { rowStatement } from './row-statements.js';

function translate(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new DuplicateKeyError((error as Error).message);
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_NOTADB' || code === 'SQLITE_READONLY') {
    return new StorageUnavailableError(`SQLite database unusable: ${(error as Error).message}`);
  }
  // Still locked after the busy timeout: another process holds the write lock too long. Try again later, not a 500.
  if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
    return new StorageUnavailableError(`SQLite database busy: ${(error as Error).message}`);
  }
  return error;
}

/**
 * Kysely prepares every query afresh, and preparing costs more than running a small indexed query.
 * Kysely's queries are parameterised, so the same SQL text recurs and its statement can be reused; reading
 * statements also make their rows faster (row-statements.ts).
 */
function cachePreparedStatements(connection: Sqlite.Database, limit = 512): void {
  const prepare = connection.prepare.bind(connection);
  const cache = new Map<string, Sqlite.Statement>();
  connection.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= limit) cache.clear();
      statement = rowStatement(prepare(sql));
      cache.set(sql, statement);
    }
    return statement;
  }) as Sqlite.Database['prepare'];
}

/** Other processes (the CLI beside a running server) may hold a write lock briefly. */
const busyTimeoutMs = 5000;

export interface SqliteStoreOptions {
  /** Refuse to create the file: commands that only read or change data must not leave an empty store behind. */
  mustExist?: boolean;
}

/** Opens (creating if needed) a SQLite database file; `:memory:` gives a private in-memory one. */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): KyselyStore {
  if (file !== ':memory:' && !options.mustExist) createPrivateFile(file);
  let connection: Sqlite.Database;
  try {
    connection = new Sqlite(file, { fileMustExist: options.mustExist === true });
    connection.pragma('journal_mode = WAL');
    connection.pragma('foreign_keys = ON');
    connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
    connection.pragma('synchronous = NORMAL');
  } catch (error) {
    throw new StorageUnavailableError(`cannot open SQLite database ${file}: ${(error as Error).message}`);
  }
  // After the store's file: a command refused for a missing store must not leave an audit file behind.
  let audit: ReturnType<typeof openAuditLog>;
  try {
    audit = openAuditLog(file, busyTimeoutMs);
  } catch (error) {
    connection.close();
    throw error;
  }
  cachePreparedStatements(connection);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: connection }) });
  const changes = new SqliteChangeFeed(connection);
  return createKyselyStore({
    db,
    kind: 'sqlite',
    location: file,
    translate,
    changes,
    audit: audit.repository,
    migrationFiles: { auditLog: audit.file },
    publisherIn: () => changes.publisherIn(),
    onClose: async () => {
      changes.close();
      await audit.close();
    },
  });
}
