import { decodeRowContinuation, encodeRowContinuation } from '../../../../domain/row-continuation.js';
import { tokenAdminContinuationLabel, tokenAdminPageSize } from '../../../../domain/token-admin.js';
import { memberByDescriptor } from '../../members.js';
import { type ApiLocation, operation } from '../../registry.js';
import { queryBoolean, queryInteger, typedQueryParameters } from '../../values.js';
import { requireOrganizationAdmin } from './revocation-rules.js';
import { sessionToken } from './session-token.js';

export const personalAccessTokensLocation: ApiLocation = {
  id: 'af68438b-ed04-4407-9eb6-f1dbae3f922e',
  area: 'TokenAdmin',
  resourceName: 'PersonalAccessTokens',
  routeTemplate: '_apis/{area}/{resource}/{subjectDescriptor}',
  minVersion: '5.0',
  maxVersion: '7.2',
  // Preview-only on Azure DevOps.
  releasedVersion: '0.0',
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes: ['vso.tokenadministration'],
      summary:
        "A member's tokens that work in the organization (its own and all-organization ones), newest first, as `SessionToken`s, paged by `pageSize` and `continuationToken`; `isPublic=true` (SSH keys) lists none.",
      query: typedQueryParameters(['continuationToken'], { pageSize: queryInteger, isPublic: queryBoolean }),
      async handler(context) {
        const { organization, services, query } = context;
        requireOrganizationAdmin(context.principal, organization);
        const size = tokenAdminPageSize(query.pageSize);
        const start = decodeRowContinuation(query.continuationToken, tokenAdminContinuationLabel);
        const member = await memberByDescriptor(services, organization, context.routeValues.subjectDescriptor ?? '');
        if (query.isPublic === true) return { body: { continuationToken: null, value: [] } };
        const page = await services.organizationTokens.pageOf(organization, member, start, size);
        return {
          body: {
            continuationToken: page.next === undefined ? null : encodeRowContinuation(page.next, tokenAdminContinuationLabel),
            value: page.tokens.map((token) => sessionToken(token, page.at)),
          },
        };
      },
    }),
  },
};
