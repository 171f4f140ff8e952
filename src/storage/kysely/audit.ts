import { CompiledQuery, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { AuditAction, AuditEntry, AuditQuery, AuditVia } from '../../domain/audit.js';
import type { AuditRepository } from '../ports.js';
import type { AuditLogTable, Database } from './schema.js';

function toEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    timestamp: row.timestamp,
    organizationId: row.organization_id,
    action: row.action as AuditAction,
    actorId: row.actor_id,
    actorName: row.actor_name,
    via: row.via as AuditVia | null,
    ipAddress: row.ip_address,
    details: row.details,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

/** Every column an entry fills, in the order of `rowValues`. */
const columns = [
  'id',
  'timestamp',
  'organization_id',
  'action',
  'actor_id',
  'actor_name',
  'via',
  'ip_address',
  'details',
  'data',
] as const;

function rowValues(entry: AuditEntry): (string | null)[] {
  return [
    entry.id,
    entry.timestamp,
    entry.organizationId ?? null,
    entry.action,
    entry.actorId ?? null,
    entry.actorName ?? null,
    entry.via ?? null,
    entry.ipAddress ?? null,
    entry.details ?? null,
    JSON.stringify(entry.data),
  ];
}

/**
 * Rows per insert statement, largest first. A batch is cut into these few sizes, so there are only a few SQL
 * texts: each is built by Kysely once and reused with new parameters (SQLite then reuses its prepared
 * statement too). 256 rows × 10 columns stays well below both drivers' parameter limits.
 */
const chunkSizes = [256, 32, 4, 1];

/**
 * The audit log's writes as compiled statements: run by `KyselyAuditRepository` on its own connection, or sent as
 * SQL text and parameters to the SQLite audit writer thread (storage/sqlite/audit-writer.ts).
 */
export class AuditWrites {
  /** The SQL of an insert of N rows, by N. Building it costs more per row than the database's own insert. */
  private readonly insertSql = new Map<number, string>();

  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts of every entry, cut into the few sizes of `chunkSizes`. */
  inserts(entries: readonly AuditEntry[]): CompiledQuery[] {
    const statements: CompiledQuery[] = [];
    let start = 0;
    for (const size of chunkSizes) {
      for (; entries.length - start >= size; start += size) statements.push(this.insert(entries.slice(start, start + size)));
    }
    return statements;
  }

  deleteBefore(timestamp: string): CompiledQuery {
    return this.db.deleteFrom('audit_log').where('timestamp', '<', timestamp).compile();
  }

  private insert(entries: readonly AuditEntry[]): CompiledQuery {
    let text = this.insertSql.get(entries.length);
    if (text === undefined) {
      const placeholderRow = Object.fromEntries(columns.map((column) => [column, ''])) as Insertable<AuditLogTable>;
      text = this.db
        .insertInto('audit_log')
        .values(entries.map(() => placeholderRow))
        .compile().sql;
      this.insertSql.set(entries.length, text);
    }
    return CompiledQuery.raw(text, entries.flatMap(rowValues));
  }
}

/** Reads the log; writes through `AuditWrites` on the same connection. */
export class KyselyAuditRepository implements AuditRepository {
  private readonly writes: AuditWrites;

  constructor(private readonly db: Kysely<Database>) {
    this.writes = new AuditWrites(db);
  }

  async insertMany(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const write = async (db: Kysely<Database>) => {
      for (const statement of this.writes.inserts(entries)) await db.executeQuery(statement);
    };
    // One transaction: a batch is written whole or not at all, and SQLite commits once instead of per statement.
    if (this.db.isTransaction) await write(this.db);
    else await this.db.transaction().execute(write);
  }

  async page(query: AuditQuery, limit: number): Promise<AuditEntry[]> {
    let select = this.db.selectFrom('audit_log').selectAll();
    if (query.organizationId !== undefined) select = select.where('organization_id', '=', query.organizationId);
    if (query.startTime) select = select.where('timestamp', '>=', query.startTime.toISOString());
    if (query.endTime) select = select.where('timestamp', '<', query.endTime.toISOString());
    if (query.actions && query.actions.length > 0) select = select.where('action', 'in', [...query.actions]);
    if (query.actorId !== undefined) select = select.where('actor_id', '=', query.actorId);
    if (query.before !== undefined) select = select.where('id', '<', query.before);
    const rows = await select.orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toEntry);
  }

  /** One step down the timestamp index: whether a prune would delete anything. */
  async hasEntriesBefore(timestamp: string): Promise<boolean> {
    const row = await this.db.selectFrom('audit_log').select('id').where('timestamp', '<', timestamp).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async deleteBefore(timestamp: string): Promise<number> {
    const result = await this.db.executeQuery(this.writes.deleteBefore(timestamp));
    return Number(result.numAffectedRows ?? 0);
  }
}
