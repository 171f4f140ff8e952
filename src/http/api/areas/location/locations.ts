import { DomainError } from '../../../../domain/errors.js';
import { baseScope } from '../../../../domain/scopes.js';
import { descriptorOf } from '../../references.js';
import { type ApiLocation, rootOperation } from '../../registry.js';
import { queryParameters } from '../../values.js';

/** The identity of the Azure DevOps (TFS) service as owner of access mappings, which clients compare against. */
const serviceOwner = '00025394-6065-48ca-87d9-7f5672854ef7';

export const resourceAreasLocation: ApiLocation = {
  id: 'e81700f7-3be2-46de-8624-2eb35882fcaa',
  area: 'Location',
  resourceName: 'ResourceAreas',
  routeTemplate: '_apis/{resource}/{areaId}',
  minVersion: '3.2',
  maxVersion: '7.1',
  releasedVersion: '7.1',
  resourceVersion: 1,
  hosts: ['organization', 'deployment'],
  operations: {
    GET: rootOperation({
      scopes: [baseScope],
      anonymous: true,
      summary: 'Resource areas: none, so clients use the URL they were given for every area (the on-premises answer).',
      async handler(context) {
        const areaId = context.routeValues.areaId;
        if (areaId) {
          throw new DomainError(
            'resourceAreaNotFound',
            `Resource area ${areaId} has no separate location: every area is served at this URL.`,
          );
        }
        return { body: { count: 0, value: null } };
      },
    }),
  },
};

export const connectionDataLocation: ApiLocation = {
  id: '00d9565f-ed9c-4a06-9a50-00e7896ccab4',
  area: 'Location',
  resourceName: 'connectionData',
  routeTemplate: '_apis/{resource}',
  minVersion: '1.0',
  maxVersion: '7.1',
  releasedVersion: '7.1',
  resourceVersion: 1,
  hosts: ['organization', 'deployment'],
  operations: {
    GET: rootOperation({
      scopes: [baseScope],
      summary: 'Who the caller is and where this organization (or server) lives.',
      query: queryParameters('connectOptions', 'lastChangeId', 'lastChangeId64'),
      async handler(context) {
        const { user } = context.principal;
        const identity = {
          id: user.id,
          descriptor: descriptorOf(user),
          subjectDescriptor: descriptorOf(user),
          providerDisplayName: user.displayName,
          customDisplayName: user.displayName,
          isActive: user.disabledAt === null,
          properties: { Account: { $type: 'System.String', $value: user.email ?? user.username } },
          resourceVersion: 2,
          metaTypeId: 0,
        };
        const instanceId = context.organization?.id ?? (await context.services.deployment.instanceId());
        return {
          body: {
            authenticatedUser: identity,
            authorizedUser: identity,
            instanceId,
            deploymentId: await context.services.deployment.instanceId(),
            deploymentType: 'hosted',
            locationServiceData: {
              serviceOwner,
              defaultAccessMappingMoniker: 'PublicAccessMapping',
              lastChangeId: 1,
              lastChangeId64: 1,
              accessMappings: [
                {
                  displayName: 'Public Access Mapping',
                  moniker: 'PublicAccessMapping',
                  accessPoint: context.collectionUrl,
                  serviceOwner,
                  virtualDirectory: '',
                },
              ],
            },
          },
        };
      },
    }),
  },
};
