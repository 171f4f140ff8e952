import type { User } from '../../../../domain/entities.js';
import { DomainError } from '../../../../domain/errors.js';
import { decodeRowContinuation, encodeRowContinuation } from '../../../../domain/row-continuation.js';
import { memberByDescriptor } from '../../members.js';
import { descriptorOf } from '../../references.js';
import { type ApiLocation, operation } from '../../registry.js';
import { listOf, queryParameters } from '../../values.js';

/** Members per page of the users list; Azure DevOps pages too, and its clients follow the continuation header. */
export const graphUsersPageSize = 100;
const continuationLabel = 'graphusers';

/** Every Lapis user is presented as a Microsoft-account (MSA) user. */
const userOrigin = 'msa';

/** A member as the Graph `GraphUser`: what an admin script reads the subject descriptor from. */
function graphUser(user: User, collectionUrl: string) {
  const descriptor = descriptorOf(user);
  const url = `${collectionUrl}/_apis/Graph/Users/${descriptor}`;
  return {
    subjectKind: 'user',
    metaType: 'member',
    domain: 'Windows Live ID',
    principalName: user.email ?? user.username,
    mailAddress: user.email ?? '',
    origin: userOrigin,
    originId: user.id,
    displayName: user.displayName,
    _links: {
      self: { href: url },
      avatar: { href: `${collectionUrl}/_apis/Graph/Subjects/${descriptor}/Avatars` },
    },
    url,
    descriptor,
  };
}

/** `subjectTypes` is a comma-separated list of descriptor prefixes (`msa`, `aad`, `svc`...); absent means all. */
function includesLapisUsers(subjectTypes: string | undefined): boolean {
  if (subjectTypes === undefined || subjectTypes.trim() === '') return true;
  return subjectTypes.split(',').some((type) => type.trim().toLowerCase() === userOrigin);
}

export const graphUsersLocation: ApiLocation = {
  id: '005e26ec-6b77-4e4f-a986-b3827bf241f5',
  area: 'Graph',
  resourceName: 'Users',
  routeTemplate: '_apis/{area}/{resource}/{userDescriptor}',
  minVersion: '3.2',
  maxVersion: '7.2',
  // Preview-only on Azure DevOps.
  releasedVersion: '0.0',
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes: ['vso.graph'],
      summary:
        "The organization's members as `GraphUser`s with their subject descriptors, by user name, paged (`continuationToken`, answered in `X-MS-ContinuationToken`; `subjectTypes`), or one by `{userDescriptor}`.",
      query: queryParameters('subjectTypes', 'continuationToken'),
      async handler(context) {
        const { organization, services, collectionUrl } = context;
        const descriptor = context.routeValues.userDescriptor;
        if (descriptor !== undefined) {
          return { body: graphUser(await memberByDescriptor(services, organization, descriptor), collectionUrl) };
        }
        const start = decodeRowContinuation(context.query.continuationToken, continuationLabel);
        if (!includesLapisUsers(context.query.subjectTypes)) return listOf([]);
        const members = (await services.organizations.members(organization.name))
          .map((member) => member.user)
          .sort((a, b) => a.username.localeCompare(b.username) || a.id.localeCompare(b.id));
        if (start > members.length) throw new DomainError('invalidInput', 'The continuationToken is past the end of the list.');
        const end = start + graphUsersPageSize;
        const page = members.slice(start, end).map((user) => graphUser(user, collectionUrl));
        return listOf(page, end < members.length ? encodeRowContinuation(end, continuationLabel) : undefined);
      },
    }),
  },
};
