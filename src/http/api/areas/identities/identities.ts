import type { User } from '../../../../domain/entities.js';
import { DomainError } from '../../../../domain/errors.js';
import { descriptorOf } from '../../references.js';
import { type ApiLocation, type ApiRequestContext, operation } from '../../registry.js';
import { listOf, queryParameters } from '../../values.js';

const maxIdentities = 100;

function identity(user: User) {
  const account = user.email ?? user.username;
  return {
    id: user.id,
    descriptor: `Microsoft.IdentityModel.Claims.ClaimsIdentity;${account}`,
    subjectDescriptor: descriptorOf(user),
    providerDisplayName: user.displayName,
    isActive: user.disabledAt === null,
    isContainer: false,
    members: [],
    memberOf: [],
    memberIds: [],
    properties: {
      Account: { $type: 'System.String', $value: account },
      ...(user.email && { Mail: { $type: 'System.String', $value: user.email } }),
    },
    resourceVersion: 2,
    metaTypeId: 0,
  };
}

function organizationOf(context: ApiRequestContext<unknown, unknown>): string {
  if (!context.organization) throw new Error('identities are served under an organization');
  return context.organization.id;
}

/**
 * `_apis/identities[/{identityId}]`: the members of the organization as identities. Every IdentityRef Lapis renders
 * (`requestedFor.url`...) points here; someone outside the organization is 404, as an unknown id is.
 */
export const identitiesLocation: ApiLocation = {
  id: '28010c54-d0c0-4c89-a5b0-1c9e188b9fb7',
  area: 'IMS',
  resourceName: 'Identities',
  routeTemplate: '_apis/{resource}/{identityId}',
  minVersion: '1.0',
  maxVersion: '7.1',
  releasedVersion: '7.1',
  resourceVersion: 2,
  operations: {
    GET: operation({
      scopes: ['vso.identity'],
      summary: 'A member of the organization as an identity, or several by ?identityIds=a,b.',
      query: queryParameters('identityIds'),
      async handler(context) {
        const organizationId = organizationOf(context);
        const { identityId } = context.routeValues;
        if (identityId !== undefined) {
          const [user] = await context.services.identities.members(organizationId, [identityId]);
          if (!user) throw new DomainError('userNotFound', `The identity ${identityId} was not found.`);
          return { body: identity(user) };
        }
        const ids = context.query.identityIds;
        if (!ids)
          throw new DomainError('invalidInput', 'Name the identities: ?identityIds=id1,id2 (other searches are not supported).');
        const wanted = ids.split(',');
        if (wanted.length > maxIdentities) {
          throw new DomainError('invalidInput', `At most ${maxIdentities} identities can be read in one request.`);
        }
        const users = await context.services.identities.members(organizationId, wanted);
        return listOf(users.map(identity));
      },
    }),
  },
};
