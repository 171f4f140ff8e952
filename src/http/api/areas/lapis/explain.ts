import { DomainError } from '../../../../domain/errors.js';
import { baseScope } from '../../../../domain/scopes.js';
import { type ApiLocation, ApiRegistry, operation } from '../../registry.js';
import { queryParameters } from '../../values.js';
import { explainRoute } from './route-explanation.js';

/** Lapis's own: which route answers a request, what it needs, and which of the caller's tokens would pass. */
export const explainLocation: ApiLocation = {
  id: 'c3f1a8e2-5b7d-4e9a-9f06-2d4b8a61e7c5',
  area: 'lapis',
  resourceName: 'explain',
  routeTemplate: '_apis/{resource}',
  minVersion: '7.1',
  maxVersion: '7.2',
  releasedVersion: '7.2',
  resourceVersion: 1,
  operations: {
    GET: operation({
      // Any credential may ask; the answer lists only the caller's own tokens.
      scopes: [baseScope],
      query: queryParameters('method', 'path'),
      summary:
        'Lapis only: the route a `method` and `path` reach (location, versions, the scope needed) and which of your own personal access tokens would pass.',
      async handler(context) {
        const { method, path } = context.query;
        if (!method || !path)
          throw new DomainError(
            'invalidInput',
            'Both method and path are required, e.g. ?method=GET&path=/org/project/_apis/build/builds.',
          );
        const explanation = explainRoute(new ApiRegistry(context.locations), method, path);
        const named = explanation.routeValues.organization;
        if (explanation.host === 'organization' && named?.toLowerCase() !== context.organization.name.toLowerCase()) {
          throw new DomainError(
            'invalidInput',
            `Explain paths of this organization here: /${context.organization.name}/..., not /${named}/...`,
          );
        }
        const declared = explanation.operation;
        const tokens = declared
          ? await context.services.credentialSelf.verdicts(context.principal, {
              ...(explanation.host === 'organization' && { organization: context.organization }),
              scopes: declared.scopes.map((scope) => scope.id),
              ...(declared.accepts && { accepts: declared.accepts }),
              label: `${explanation.method} ${explanation.area}/${explanation.resourceName}`,
            })
          : [];
        return { body: { ...explanation, tokens } };
      },
    }),
  },
};
