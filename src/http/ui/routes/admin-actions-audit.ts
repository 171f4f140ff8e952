import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from '../../../services/audit.js';
import type { OrganizationService } from '../../../services/organizations.js';
import { pageOrigin } from '../audit-origin.js';
import { formText } from '../form-body.js';
import { currentUser } from '../session.js';

/** The admin forms whose success is recorded here, by route: the operation's name and where its subject is. */
const operations: Record<string, { operation: string; target: (request: FastifyRequest) => string }> = {
  '/_admin/users': { operation: 'user.added', target: (r) => formText(r.body, 'username') },
  '/_admin/users/:username/disable': { operation: 'user.disabled', target: (r) => param(r, 'username') },
  '/_admin/users/:username/enable': { operation: 'user.enabled', target: (r) => param(r, 'username') },
  '/_admin/users/:username/password': { operation: 'user.passwordReset', target: (r) => param(r, 'username') },
  '/_admin/organizations': { operation: 'organization.added', target: (r) => formText(r.body, 'name') },
  '/_admin/organizations/:name/members': { operation: 'organization.memberAdded', target: (r) => param(r, 'name') },
  '/_admin/organizations/:name/members/:username/remove': {
    operation: 'organization.memberRemoved',
    target: (r) => param(r, 'name'),
  },
};

function param(request: FastifyRequest, name: string): string {
  return String((request.params as Record<string, unknown>)[name] ?? '');
}

/**
 * Records every admin form that succeeded (answered with a redirect) as an admin action, after the answer is
 * sent. Only names are taken from the form, never a password field. Policy changes record themselves, with their settings.
 */
export function recordAdminActions(app: FastifyInstance, audit: AuditLog, organizations: OrganizationService): void {
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'POST' || reply.statusCode !== 303) return;
    const known = operations[request.routeOptions.url ?? ''];
    const admin = await currentUser(request);
    if (!known || !admin) return;
    const organizationName =
      param(request, 'name') || (known.operation === 'organization.added' ? formText(request.body, 'name') : '');
    const organization = organizationName ? await organizations.get(organizationName).catch(() => undefined) : undefined;
    const member = param(request, 'username') || formText(request.body, 'username');
    audit.record({
      action: 'admin.action',
      origin: pageOrigin(request, admin),
      operation: known.operation,
      target: known.target(request),
      organizationId: organization?.id ?? null,
      ...(organization && member && { data: { member } }),
    });
  });
}
