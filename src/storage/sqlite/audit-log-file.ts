import Sqlite from 'better-sqlite3';
import { type CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import { AuditWrites, KyselyAuditRepository } from '../kysely/audit.js';
import type { Database } from '../kysely/schema.js';
import { type AuditRepository, StorageUnavailableError } from '../ports.js';
import { AuditWriter } from './audit-writer.js';
import { createPrivateFile } from './private-file.js';

/** The audit log's file beside a store's file: `<dir>/<name>.db` keeps it in `<dir>/<name>.audit.db`. */
export function auditFileFor(file: string): string {
  return `${file.endsWith('.db') ? file.slice(0, -'.db'.length) : file}.audit.db`;
}

/**
 * The audit file's schema, by `PRAGMA user_version`: the table and indexes of migration 011. The file is not in the
 * store's migrations because migrations run on the store's own connection, which must not hold this file's lock.
 */
const schemaVersions = [
  `create table if not exists audit_log (
     id text primary key, timestamp text not null, organization_id text, action text not null, actor_id text,
     actor_name text not null, via text, ip_address text, details text not null, data text not null);
   create index if not exists audit_log_organization on audit_log (organization_id, id);
   create index if not exists audit_log_timestamp on audit_log (timestamp);`,
];

function prepareSchema(connection: Sqlite.Database): void {
  const version = () => connection.pragma('user_version', { simple: true }) as number;
  // Read first: opening a current file takes no write lock (a CLI command beside a busy server).
  if (version() >= schemaVersions.length) return;
  connection
    .transaction(() => {
      const from = version();
      for (const [index, statements] of schemaVersions.entries()) {
        if (index >= from) connection.exec(statements);
      }
      connection.pragma(`user_version = ${schemaVersions.length}`);
    })
    .immediate();
}

const statementOf = (query: CompiledQuery) => ({ sql: query.sql, params: query.parameters });

export interface AuditLogStorage {
  /** Undefined in memory. */
  file: string | undefined;
  repository: AuditRepository;
  close(): Promise<void>;
}

/**
 * The audit log of a SQLite store, apart from the store's file: audit batches then never wait for the store's write
 * lock nor make it wait, and their commits do not change the store's `data_version` (which would drop every cache of
 * every process, change-feed.ts). Not ATTACHed: BEGIN IMMEDIATE would lock an attached file with the store's.
 *
 * For a file, reads use a connection on the calling thread (in WAL mode a reader never waits for the writer) and
 * writes go to the writer thread. An in-memory store gets a second private in-memory database, written in place.
 */
export function openAuditLog(mainFile: string, busyTimeoutMs: number): AuditLogStorage {
  const inMemory = mainFile === ':memory:';
  const file = inMemory ? mainFile : auditFileFor(mainFile);
  if (!inMemory) createPrivateFile(file);
  let connection: Sqlite.Database;
  try {
    connection = new Sqlite(file);
    connection.pragma('journal_mode = WAL');
    connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
    connection.pragma('synchronous = NORMAL');
    prepareSchema(connection);
  } catch (error) {
    throw new StorageUnavailableError(`cannot open the SQLite audit log ${file}: ${(error as Error).message}`);
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  // Kysely closes the connection only if it ever ran a query; a store that never read its log must close it too.
  const closeReader = async () => {
    await db.destroy();
    connection.close();
  };
  const local = new KyselyAuditRepository(db);
  if (inMemory) return { file: undefined, repository: local, close: closeReader };

  const writes = new AuditWrites(db);
  const writer = new AuditWriter(file, busyTimeoutMs);
  return {
    file,
    repository: {
      async insertBatch(batch) {
        if (batch.count > 0) await writer.run({ inserts: writes.insertPlan(batch.count), rows: batch.json });
      },
      page: (query, limit) => local.page(query, limit),
      // The start-up prune finds nothing to delete on most starts: asked first here, it starts no writer thread then.
      deleteBefore: async (timestamp) =>
        (await local.hasEntriesBefore(timestamp)) ? writer.run({ statements: [statementOf(writes.deleteBefore(timestamp))] }) : 0,
    },
    async close() {
      await writer.close();
      await closeReader();
    },
  };
}
