import { CompiledQuery, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { AuditAction, AuditEntry, AuditQuery, AuditVia, EncodedAuditBatch } from '../../domain/audit.js';
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

/** Every column an entry fills, in the order of an encoded entry's fields (domain/audit.ts). */
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

/**
 * Rows per insert statement, largest first. A batch is cut into these few sizes, so there are only a few SQL
 * texts: each is built by Kysely once and reused with new parameters (SQLite then reuses its prepared
 * statement too). 256 rows × 10 columns stays well below both drivers' parameter limits.
 */
const chunkSizes = [256, 32, 4, 1];

/** One insert of a batch: its SQL, and how many of the batch's entries, taken in order, it writes. */
export interface InsertStep {
  sql: string;
  count: number;
}

/** The parameters of `count` rows from `start`, row after row (a loop, not `flatMap`: four times faster on Node 20). */
function rowParameters(rows: readonly (readonly unknown[])[], start: number, count: number): unknown[] {
  const parameters: unknown[] = [];
  for (let index = start; index < start + count; index++) parameters.push(...(rows[index] ?? []));
  return parameters;
}

/**
 * The audit log's writes: run as compiled statements by `KyselyAuditRepository` on its own connection, or sent to the
 * SQLite audit writer thread (storage/sqlite/audit-writer.ts) as an insert plan and the batch as one string.
 */
export class AuditWrites {
  /** The SQL of an insert of N rows, by N. Building it costs more per row than the database's own insert. */
  private readonly insertSql = new Map<number, string>();

  constructor(private readonly db: Kysely<Database>) {}

  /** The inserts of `count` entries, cut into the few sizes of `chunkSizes`. */
  insertPlan(count: number): InsertStep[] {
    const steps: InsertStep[] = [];
    let left = count;
    for (const size of chunkSizes) {
      for (; left >= size; left -= size) steps.push({ sql: this.insertText(size), count: size });
    }
    return steps;
  }

  /** The inserts of a batch as compiled statements, for a connection on this thread. */
  inserts(batch: EncodedAuditBatch): CompiledQuery[] {
    const rows = JSON.parse(batch.json) as unknown[][];
    let start = 0;
    return this.insertPlan(batch.count).map(({ sql, count }) => {
      const parameters = rowParameters(rows, start, count);
      start += count;
      return CompiledQuery.raw(sql, parameters);
    });
  }

  deleteBefore(timestamp: string): CompiledQuery {
    return this.db.deleteFrom('audit_log').where('timestamp', '<', timestamp).compile();
  }

  private insertText(count: number): string {
    let text = this.insertSql.get(count);
    if (text === undefined) {
      const placeholderRow = Object.fromEntries(columns.map((column) => [column, ''])) as Insertable<AuditLogTable>;
      const built = this.db
        .insertInto('audit_log')
        .values(Array.from({ length: count }, () => placeholderRow))
        .compile().sql;
      // Copied into one flat string: Kysely's text is a concatenation of hundreds of parts, which a message to the
      // writer thread flattened anew on every send (half of posting a 64-entry slice on Node 20).
      text = Buffer.from(built, 'utf8').toString('utf8');
      this.insertSql.set(count, text);
    }
    return text;
  }
}

/** Reads the log; writes through `AuditWrites` on the same connection. */
export class KyselyAuditRepository implements AuditRepository {
  private readonly writes: AuditWrites;

  constructor(private readonly db: Kysely<Database>) {
    this.writes = new AuditWrites(db);
  }

  async insertBatch(batch: EncodedAuditBatch): Promise<void> {
    if (batch.count === 0) return;
    const write = async (db: Kysely<Database>) => {
      for (const statement of this.writes.inserts(batch)) await db.executeQuery(statement);
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
