import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../../services/audit.js';
import type { LeakReportService } from '../../../services/leak-reports.js';
import type { OrganizationPolicyService } from '../../../services/org-policies.js';
import type { OrganizationService } from '../../../services/organizations.js';
import type { UserService } from '../../../services/users.js';
import type { WebhookService } from '../../../services/webhooks.js';
import { sendNotFoundPage } from '../error-pages.js';
import { requireAdmin } from '../guards.js';
import { recordAdminActions } from './admin-actions-audit.js';
import { adminAuditRoutes } from './admin-audit.js';
import { adminOrganizationRoutes } from './admin-organizations.js';
import { adminPolicyRoutes } from './admin-policies.js';
import { adminUserPasswordRoutes } from './admin-user-password.js';
import { adminUserRoutes } from './admin-users.js';
import { adminWebhookRoutes } from './admin-webhooks.js';

export interface AdminOptions {
  users: UserService;
  organizations: OrganizationService;
  webhooks: WebhookService;
  leaks: LeakReportService;
  audit: AuditLog;
  policies: OrganizationPolicyService;
}

/** Everything under /_admin: administrators only, unknown paths included (so they reveal nothing). */
export async function adminArea(app: FastifyInstance, options: AdminOptions): Promise<void> {
  app.addHook('preHandler', requireAdmin);
  app.setNotFoundHandler(sendNotFoundPage);
  app.get('/', (_request, reply) => reply.redirect('/_admin/users', 303));
  adminUserRoutes(app, options.users);
  adminUserPasswordRoutes(app, options.users);
  adminOrganizationRoutes(app, options.organizations, options.users);
  adminWebhookRoutes(app, options);
  adminPolicyRoutes(app, options.organizations, options.users, options.policies);
  adminAuditRoutes(app, options.organizations, options.users, options.audit);
  recordAdminActions(app, options.audit, options.organizations);
}
