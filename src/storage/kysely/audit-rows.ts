import type { AuditEntry } from '../../domain/audit.js';

/** The `audit_log` columns an entry fills, in the order of `auditRow`. */
export const auditColumns = [
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

export type AuditRow = (string | null)[];

/** An entry as the values of one row: what the repository binds, and what is sent to the SQLite writer thread. */
export function auditRow(entry: AuditEntry): AuditRow {
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
 * texts, each prepared once and reused with new parameters. 256 rows × 10 columns stays well below both drivers'
 * parameter limits.
 */
export const auditChunkSizes = [256, 32, 4, 1] as const;

/** `rows` cut into consecutive chunks, each as long as one of the chunk sizes. */
export function auditChunks<T>(rows: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let start = 0;
  for (const size of auditChunkSizes) {
    for (; rows.length - start >= size; start += size) chunks.push(rows.slice(start, start + size));
  }
  return chunks;
}
