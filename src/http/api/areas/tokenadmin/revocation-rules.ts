import Type from 'typebox';
import type { Organization } from '../../../../domain/entities.js';
import { DomainError } from '../../../../domain/errors.js';
import type { Principal } from '../../../../domain/principal.js';
import { type ApiLocation, operation } from '../../registry.js';

/** Token administration is for the organization's owner and the server's administrators. */
export function requireOrganizationAdmin(principal: Principal, organization: Organization): void {
  if (principal.user.id === organization.ownerId || principal.user.isAdmin) return;
  throw new DomainError(
    'notOrganizationAdmin',
    `Access Denied: ${principal.user.username} is not an administrator of the organization '${organization.name}'.`,
  );
}

const ruleRequest = Type.Object(
  { scopes: Type.String({ maxLength: 4096 }), createdBefore: Type.String({ maxLength: 64 }) },
  { additionalProperties: true },
);

export const revocationRulesLocation: ApiLocation = {
  id: 'ee4afb16-e7ab-4ed8-9d4b-4ef3e78f97e4',
  area: 'TokenAdmin',
  resourceName: 'RevocationRules',
  routeTemplate: '_apis/{area}/{resource}',
  minVersion: '5.0',
  maxVersion: '7.2',
  // Preview-only on Azure DevOps.
  releasedVersion: '0.0',
  resourceVersion: 1,
  operations: {
    POST: operation({
      scopes: ['vso.tokenadministration'],
      summary:
        'Revoke by rule: every token of the organization (and every all-organization token of its members) with one of `scopes`, created before `createdBefore`, stops working.',
      body: ruleRequest,
      async handler(context) {
        requireOrganizationAdmin(context.principal, context.organization);
        const { scopes, createdBefore } = context.body;
        const { user } = context.principal;
        await context.services.revocationRules.add(context.organization, scopes, createdBefore, {
          actor: { userId: user.id, name: user.username },
          via: 'api',
          ipAddress: context.request.ip,
        });
        return { status: 201 };
      },
    }),
  },
};
