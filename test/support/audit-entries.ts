import type { AuditEntry } from '../../src/domain/audit.js';

/** The n-th of a run of stored audit entries, one millisecond apart, ids tagged so two suites never share one. */
export function numberedAuditEntry(n: number, tag: string): AuditEntry {
  const timestamp = new Date(Date.parse('2026-06-01T12:00:00.000Z') + n).toISOString();
  return {
    id: `${timestamp}.${String(n).padStart(6, '0')}.${tag}`,
    timestamp,
    organizationId: null,
    action: 'admin.action',
    actorId: null,
    actorName: 'ops',
    via: 'cli',
    ipAddress: null,
    details: `entry ${n}`,
    data: { n },
  };
}
