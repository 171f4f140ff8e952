import type { AuditEntry, AuditQuery } from '../../../../domain/audit.js';
import type { Organization } from '../../../../domain/entities.js';
import { DomainError } from '../../../../domain/errors.js';
import type { Principal } from '../../../../domain/principal.js';

/** The audit log of an organization is its owner's and the server administrators' to read, as "View audit log" is. */
export function requireAuditReader(principal: Principal, organization: Organization): void {
  if (principal.user.isAdmin || principal.user.id === organization.ownerId) return;
  throw new DomainError(
    'auditAccessDenied',
    `Only the owner of "${organization.name}" and server administrators can read its audit log.`,
  );
}

function optionalTime(value: string | undefined, what: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime()))
    throw new DomainError('invalidInput', `${what} must be an ISO-8601 date and time, not "${value}".`);
  return time;
}

/** startTime and endTime as the audit routes read them; endTime must come after startTime. */
export function timeWindow(
  query: { startTime?: string | undefined; endTime?: string | undefined },
  organization: Organization,
): AuditQuery {
  const startTime = optionalTime(query.startTime, 'startTime');
  const endTime = optionalTime(query.endTime, 'endTime');
  if (startTime && endTime && endTime <= startTime)
    throw new DomainError('invalidInput', 'endTime must be later than startTime.');
  return { organizationId: organization.id, startTime, endTime };
}

/** An entry in the shape of Azure DevOps' DecoratedAuditLogEntry (fields Lapis has no value for are null). */
export function decoratedEntry(entry: AuditEntry, organization: Organization) {
  const [area, action] = entry.action.split('.');
  return {
    id: entry.id,
    correlationId: entry.id,
    activityId: null,
    actorCUID: entry.actorId,
    actorUserId: entry.actorId,
    actorClientId: null,
    actorUPN: null,
    authenticationMechanism: entry.via ?? '',
    timestamp: entry.timestamp,
    scopeType: 'organization',
    scopeDisplayName: `${organization.name} (Organization)`,
    scopeId: organization.id,
    projectId: null,
    projectName: null,
    ipAddress: entry.ipAddress,
    userAgent: null,
    actionId: entry.action,
    data: entry.data,
    details: entry.details,
    area,
    category: action,
    categoryDisplayName: action,
    actorDisplayName: entry.actorName,
    actorImageUrl: null,
  };
}
