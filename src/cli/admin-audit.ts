import type { Services } from '../compose.js';
import type { Organization } from '../domain/entities.js';
import { cliOrigin } from './origin.js';

/**
 * Records an administrative command that succeeded as an admin action made through the CLI, as the admin pages
 * record their forms (same operation names). Only names and ids, never a secret.
 */
export function recordCliAdminAction(
  services: Pick<Services, 'audit'>,
  operation: string,
  target: string,
  organization?: Pick<Organization, 'id'>,
  data?: Readonly<Record<string, unknown>>,
): void {
  services.audit.record({
    action: 'admin.action',
    origin: cliOrigin(),
    operation,
    target,
    organizationId: organization?.id ?? null,
    ...(data && { data }),
  });
}
