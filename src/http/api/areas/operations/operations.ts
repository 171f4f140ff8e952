import { operationStatusNumbers } from '../../../../domain/core-enums.js';
import { DomainError } from '../../../../domain/errors.js';
import { baseScope } from '../../../../domain/scopes.js';
import { type ApiLocation, operation } from '../../registry.js';

export const operationsLocation: ApiLocation = {
  id: '9a1b74b4-2ca8-4a9f-8470-c2f2e6fdc949',
  area: 'operations',
  resourceName: 'operations',
  routeTemplate: '_apis/{resource}/{operationId}',
  minVersion: '1.0',
  maxVersion: '7.2',
  releasedVersion: '7.1',
  resourceVersion: 1,
  operations: {
    GET: operation({
      // Azure DevOps grants operation polling to every token (vso.base), so any caller of the change can follow it.
      scopes: [baseScope],
      summary: 'Get an operation returned by a project change (always finished: Lapis acts synchronously).',
      enums: { status: operationStatusNumbers },
      async handler(context) {
        const id = context.routeValues.operationId;
        if (!id) {
          throw new DomainError('operationNotFound', 'Name the operation: GET _apis/operations/{operationId}.');
        }
        const found = await context.services.operations.get(context.organization.id, id);
        const url = `${context.collectionUrl}/_apis/operations/${found.id}`;
        return {
          body: {
            id: found.id,
            status: found.status,
            url,
            _links: { self: { href: url } },
            resultMessage: found.resultMessage,
          },
        };
      },
    }),
  },
};
