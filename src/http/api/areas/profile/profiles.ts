import type { User } from '../../../../domain/entities.js';
import { DomainError } from '../../../../domain/errors.js';
import { type ApiLocation, rootOperation } from '../../registry.js';
import { queryBoolean, typedQueryParameters } from '../../values.js';

/** The document: "organizations and profiles only support OAuth". */
const oauthOnly = ['oauth'] as const;

const coreAttributeNames = ['DisplayName', 'Email', 'Avatar', 'ContactWithOffers', 'PublicAlias'] as const;

function coreAttributeValue(user: User, name: string): unknown {
  switch (name) {
    case 'DisplayName':
      return user.displayName;
    case 'Email':
      return user.email ?? '';
    case 'PublicAlias':
      return user.id;
    case 'ContactWithOffers':
      return false;
    default:
      return null;
  }
}

/** The attributes asked for in `coreAttributes` (comma-separated, case-insensitive), as Profile's ProfileAttribute map. */
function coreAttributes(user: User, requested: string): Record<string, unknown> {
  const names = requested
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => coreAttributeNames.find((known) => known.toLowerCase() === part.toLowerCase()));
  const unknown = names.indexOf(undefined);
  if (unknown >= 0) {
    throw new DomainError(
      'invalidInput',
      `coreAttributes may name ${coreAttributeNames.join(', ')}, not "${requested.split(',')[unknown]?.trim()}".`,
    );
  }
  return Object.fromEntries(
    (names as string[]).map((name) => [
      name,
      {
        descriptor: { attributeName: name, containerName: 'Core' },
        value: coreAttributeValue(user, name),
        revision: 1,
        timeStamp: user.createdAt,
      },
    ]),
  );
}

export const profilesLocation: ApiLocation = {
  id: 'f83735dc-483f-4238-a291-d45f6080a9af',
  area: 'Profile',
  resourceName: 'Profiles',
  routeTemplate: '_apis/{area}/{resource}/{id}',
  minVersion: '1.0',
  maxVersion: '7.2',
  releasedVersion: '7.1',
  resourceVersion: 3,
  hosts: ['organization', 'deployment'],
  operations: {
    GET: rootOperation({
      scopes: ['vso.profile'],
      accepts: oauthOnly,
      summary: "The caller's own profile (`me` or their id); OAuth access tokens only, as on Azure DevOps.",
      query: typedQueryParameters(['withAttributes', 'partition', 'coreAttributes', 'forceRefresh'], { details: queryBoolean }),
      async handler(context) {
        const { user } = context.principal;
        const id = context.routeValues.id;
        if (!id) throw new DomainError('invalidInput', 'A profile id is required: use "me" for your own profile.');
        if (id.toLowerCase() !== 'me' && id.toLowerCase() !== user.id) {
          throw new DomainError('userNotFound', `Profile ${id} was not found or is not visible to you.`);
        }
        // Microsoft's example answers these three with or without `details` (the schema still checks the flag).
        const requested = context.query.coreAttributes;
        return {
          body: {
            displayName: user.displayName,
            publicAlias: user.id,
            emailAddress: user.email ?? '',
            ...(requested && { coreAttributes: coreAttributes(user, requested) }),
            coreRevision: 1,
            timeStamp: user.createdAt,
            id: user.id,
            revision: 1,
          },
        };
      },
    }),
  },
};
