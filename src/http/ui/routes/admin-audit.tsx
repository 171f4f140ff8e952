import type { FastifyInstance } from 'fastify';
import { type AuditQuery, auditActions, parseDuration } from '../../../domain/audit.js';
import type { AuditLog } from '../../../services/audit.js';
import type { OrganizationService } from '../../../services/organizations.js';
import type { UserService } from '../../../services/users.js';
import { AdminAuditPage, type AuditFilters } from '../pages/admin-audit-page.js';
import { organizationPath } from '../pages/admin-organizations-page.js';
import { sendPage } from '../render.js';

interface AuditParams {
  name: string;
}

interface AuditQueryString {
  action?: string;
  actor?: string;
  since?: string;
  before?: string;
}

const pageSize = 50;

/** /_admin/organizations/{name}/audit: the organization's audit log with filters, 50 entries a page. */
export function adminAuditRoutes(
  app: FastifyInstance,
  organizations: OrganizationService,
  users: UserService,
  audit: AuditLog,
): void {
  app.get<{ Params: AuditParams; Querystring: AuditQueryString }>('/organizations/:name/audit', async (request, reply) => {
    const organization = await organizations.get(request.params.name);
    const filters: AuditFilters = {
      action: auditActions.find((a) => a === request.query.action) ?? '',
      actor: (request.query.actor ?? '').trim(),
      since: request.query.since && parseDuration(request.query.since) !== undefined ? request.query.since : '',
    };
    const actor = filters.actor === '' ? undefined : await users.get(filters.actor).catch(() => undefined);
    const query: AuditQuery = {
      organizationId: organization.id,
      actions: filters.action === '' ? undefined : [filters.action as (typeof auditActions)[number]],
      // An unknown name matches nobody, rather than everybody.
      actorId: filters.actor === '' ? undefined : (actor?.id ?? '-'),
      startTime: filters.since === '' ? undefined : new Date(Date.now() - (parseDuration(filters.since) ?? 0)),
      before: request.query.before || undefined,
    };
    const page = await audit.page(query, pageSize);
    const older =
      page.continuation &&
      `${organizationPath(organization.name)}/audit?${new URLSearchParams({ ...filters, before: page.continuation }).toString()}`;
    return sendPage(
      reply,
      200,
      <AdminAuditPage
        organization={organization}
        filters={filters}
        entries={page.entries}
        olderHref={older || undefined}
        error={filters.actor !== '' && !actor ? `No user is called "${filters.actor}".` : undefined}
      />,
    );
  });
}
