import type { FastifyRequest } from 'fastify';
import type { AuditOrigin } from '../../domain/audit.js';
import type { User } from '../../domain/entities.js';

/** A signed-in person acting on a page, for the audit log. */
export function pageOrigin(request: FastifyRequest, user: User): AuditOrigin {
  return { actor: { userId: user.id, name: user.username }, via: 'page', ipAddress: request.clientAddress };
}
