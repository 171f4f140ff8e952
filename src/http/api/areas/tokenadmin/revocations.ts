import Type from 'typebox';
import { DomainError } from '../../../../domain/errors.js';
import { isGuid } from '../../../../domain/guid.js';
import { type ApiLocation, operation } from '../../registry.js';
import { queryBoolean, typedQueryParameters } from '../../values.js';
import { requireOrganizationAdmin } from './revocation-rules.js';

const revocations = Type.Array(Type.Object({ authorizationId: Type.String({ maxLength: 64 }) }, { additionalProperties: true }), {
  maxItems: 1000,
});

export const revocationsLocation: ApiLocation = {
  id: 'a9c08b2c-5466-4e22-8626-1ff304ffdf0f',
  area: 'TokenAdmin',
  resourceName: 'Revocations',
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
        "Revoke the listed tokens (`[{authorizationId}]`) of the organization's members; ids of no such token, or of one already revoked, are passed over. `isPublic=true` (SSH keys) revokes none.",
      query: typedQueryParameters([], { isPublic: queryBoolean }),
      body: revocations,
      async handler(context) {
        const { organization, principal, body } = context;
        requireOrganizationAdmin(principal, organization);
        if (body.length === 0) throw new DomainError('invalidInput', 'List at least one {"authorizationId": ...} to revoke.');
        // The value is not repeated: a caller who pasted a token in the wrong field must not see it echoed.
        const malformed = body.findIndex((revocation) => !isGuid(revocation.authorizationId));
        if (malformed >= 0) throw new DomainError('invalidInput', `authorizationId of item ${malformed} is not a GUID.`);
        if (context.query.isPublic === true) return { status: 204 };
        await context.services.organizationTokens.revokeMany(
          organization,
          body.map((revocation) => revocation.authorizationId),
          { actor: { userId: principal.user.id, name: principal.user.username }, via: 'api', ipAddress: context.request.ip },
        );
        return { status: 204 };
      },
    }),
  },
};
