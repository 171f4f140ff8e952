import { baseScope } from '../../../../domain/scopes.js';
import { type ApiLocation, operation } from '../../registry.js';

/** Lapis only: the credential a request carries, describing itself. Every credential may ask, whatever its scopes. */
export const tokenSelfLocation: ApiLocation = {
  id: '8d2e6f4a-91c3-4b57-a0e8-5f3c7b1d9e26',
  area: 'tokens',
  resourceName: 'self',
  routeTemplate: '_apis/{area}/{resource}',
  minVersion: '7.1',
  maxVersion: '7.2',
  releasedVersion: '7.2',
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes: [baseScope],
      summary:
        'Lapis only: who the credential is, its kind, scopes, organization, project restriction, expiry, last use, usage trail and policy warnings. Never the secret.',
      async handler(context) {
        return { body: await context.services.credentialSelf.describe(context.principal) };
      },
    }),
  },
};
