import type { Kysely, Selectable } from 'kysely';
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

/** Rows per insert statement: well below both drivers' parameter limits (10 columns each). */
const insertChunk = 500;

export class KyselyAuditRepository implements AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertMany(entries: readonly AuditEntry[]): Promise<void> {
    for (let start = 0; start < entries.length; start += insertChunk) {
      const rows = entries.slice(start, start + insertChunk).map((entry) => ({
        id: entry.id,
        timestamp: entry.timestamp,
        organization_id: entry.organizationId,
        action: entry.action,
        actor_id: entry.actorId,
        actor_name: entry.actorName,
        via: entry.via,
        ip_address: entry.ipAddress,
        details: entry.details,
        data: JSON.stringify(entry.data),
      }));
      await this.db.insertInto('audit_log').values(rows).execute();
    }
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

  async deleteBefore(timestamp: string): Promise<number> {
    const result = await this.db.deleteFrom('audit_log').where('timestamp', '<', timestamp).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
