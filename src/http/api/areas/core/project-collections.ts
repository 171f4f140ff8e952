import type { Organization } from '../../../../domain/entities.js';
import { DomainError } from '../../../../domain/errors.js';
import { type ApiLocation, operation } from '../../registry.js';
import { listOf, queryParameters } from '../../values.js';

function collectionReference(organization: Organization, collectionUrl: string) {
  return { id: organization.id, name: organization.name, url: `${collectionUrl}/_apis/projectCollections/${organization.id}` };
}

/** An organization is its own (only) project collection, as on Azure DevOps Services. */
export const projectCollectionsLocation: ApiLocation = {
  id: '8031090f-ef1d-4af6-85fc-698cd75d42bf',
  area: 'core',
  resourceName: 'projectCollections',
  routeTemplate: '_apis/{resource}/{collectionId}',
  minVersion: '1.0',
  maxVersion: '7.2',
  releasedVersion: '7.1',
  resourceVersion: 2,
  operations: {
    GET: operation({
      scopes: ['vso.profile', 'vso.project'],
      summary: 'The organization as a project collection: a list of one, or the collection by its id or name.',
      query: queryParameters('$top', '$skip'),
      async handler(context) {
        const organization = context.organization;
        if (!organization) throw new Error('project collections are served under an organization');
        const reference = collectionReference(organization, context.collectionUrl);
        const wanted = context.routeValues.collectionId;
        if (wanted === undefined) return listOf([reference]);
        if (wanted.toLowerCase() !== organization.id && wanted.toLowerCase() !== organization.name.toLowerCase()) {
          throw new DomainError('organizationNotFound', `The project collection ${wanted} does not exist.`);
        }
        return {
          body: {
            ...reference,
            description: '',
            state: 'Started',
            _links: {
              self: { href: reference.url },
              web: { href: `${context.collectionUrl}/` },
            },
          },
        };
      },
    }),
  },
};
