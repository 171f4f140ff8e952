import { accountStatusNumbers, accountTypeNumbers } from '../../../../domain/core-enums.js';
import type { Organization } from '../../../../domain/entities.js';
import { DomainError } from '../../../../domain/errors.js';
import { isGuid } from '../../../../domain/guid.js';
import { type ApiLocation, rootOperation } from '../../registry.js';
import { listOf, queryParameters } from '../../values.js';

function account(organization: Organization, baseUrl: string) {
  return {
    accountId: organization.id,
    accountUri: `${baseUrl}/${encodeURIComponent(organization.name)}/`,
    accountName: organization.name,
    accountOwner: organization.ownerId,
    accountStatus: 'enabled',
    accountType: 'organization',
    createdBy: organization.ownerId,
    createdDate: organization.createdAt,
    hasMoved: false,
    lastUpdatedBy: organization.ownerId,
    lastUpdatedDate: organization.createdAt,
    namespaceId: organization.id,
    newCollectionId: null,
    organizationName: organization.name,
    properties: {},
    statusReason: null,
  };
}

export const accountsLocation: ApiLocation = {
  id: '229a6a53-b428-4ffb-a835-e8f36b5b4b1e',
  area: 'Account',
  resourceName: 'Accounts',
  routeTemplate: '_apis/{resource}',
  minVersion: '1.0',
  maxVersion: '7.2',
  releasedVersion: '7.1',
  resourceVersion: 1,
  hosts: ['organization', 'deployment'],
  operations: {
    GET: rootOperation({
      scopes: ['vso.profile'],
      accepts: ['oauth'],
      summary: 'The organizations (accounts) the caller belongs to (`memberId`) or owns (`ownerId`); OAuth access tokens only.',
      query: queryParameters('memberId', 'ownerId', 'properties'),
      enums: { accountStatus: accountStatusNumbers, accountType: accountTypeNumbers },
      async handler(context) {
        const { principal } = context;
        const { memberId, ownerId } = context.query;
        const filter = memberId ?? ownerId;
        if (!filter) throw new DomainError('invalidInput', 'Give memberId or ownerId (your profile id).');
        if (memberId && ownerId) throw new DomainError('invalidInput', 'Give memberId or ownerId, not both.');
        if (!isGuid(filter)) throw new DomainError('invalidInput', `"${filter}" is not a GUID.`);
        // Only the caller's own accounts are visible; another id is answered as an empty list, revealing nothing.
        if (filter.toLowerCase() !== principal.user.id) return listOf([]);
        const organizations = await context.services.organizations.listForUser(principal.user.id);
        const chosen = ownerId ? organizations.filter((o) => o.ownerId === principal.user.id) : organizations;
        return listOf(chosen.map((organization) => account(organization, context.baseUrl)));
      },
    }),
  },
};
