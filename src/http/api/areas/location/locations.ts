import { deploymentFlagNumbers, inheritLevels, relativeToSettings, serviceStatuses } from '../../../../domain/core-enums.js';
import { parseFlags } from '../../../../domain/enums.js';
import { DomainError } from '../../../../domain/errors.js';
import { baseScope } from '../../../../domain/scopes.js';
import { descriptorOf } from '../../references.js';
import { type ApiLocation, rootOperation } from '../../registry.js';
import { queryInteger, typedQueryParameters } from '../../values.js';

/** The identity of the Azure DevOps (TFS) service as owner of access mappings, which clients compare against. */
const serviceOwner = '00025394-6065-48ca-87d9-7f5672854ef7';

export const resourceAreasLocation: ApiLocation = {
  id: 'e81700f7-3be2-46de-8624-2eb35882fcaa',
  area: 'Location',
  resourceName: 'ResourceAreas',
  routeTemplate: '_apis/{resource}/{areaId}',
  minVersion: '3.2',
  maxVersion: '7.2',
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

/** ConnectOptions flags: what connectionData adds beyond the caller and the access mappings. */
const connectOptions = {
  none: 0,
  includeServices: 1,
  includeLastUserAccess: 2,
  includeInheritedDefinitionsOnly: 4,
  includeNonInheritedDefinitionsOnly: 8,
} as const;

/** A registry location as the ServiceDefinition the Location service keeps for it. */
function serviceDefinition(location: ApiLocation) {
  return {
    serviceType: location.area,
    identifier: location.id,
    displayName: location.resourceName,
    relativeToSetting: 'context',
    relativePath: location.routeTemplate,
    description: '',
    serviceOwner,
    locationMappings: [],
    toolId: location.area,
    parentServiceType: null,
    parentIdentifier: '00000000-0000-0000-0000-000000000000',
    status: 'active',
    properties: {},
    inheritLevel: 'none',
    minVersion: location.minVersion,
    maxVersion: location.maxVersion,
    releasedVersion: location.releasedVersion,
    resourceVersion: location.resourceVersion,
  };
}

export const connectionDataLocation: ApiLocation = {
  id: '00d9565f-ed9c-4a06-9a50-00e7896ccab4',
  area: 'Location',
  resourceName: 'connectionData',
  routeTemplate: '_apis/{resource}',
  minVersion: '1.0',
  maxVersion: '7.2',
  releasedVersion: '7.1',
  resourceVersion: 1,
  hosts: ['organization', 'deployment'],
  operations: {
    GET: rootOperation({
      scopes: [baseScope],
      summary:
        'Who the caller is and where this organization (or server) lives; connectOptions=IncludeServices adds the service definitions.',
      query: typedQueryParameters(['connectOptions'], { lastChangeId: queryInteger, lastChangeId64: queryInteger }),
      enums: {
        deploymentType: deploymentFlagNumbers,
        'locationServiceData.serviceDefinitions.relativeToSetting': relativeToSettings,
        'locationServiceData.serviceDefinitions.status': serviceStatuses,
        'locationServiceData.serviceDefinitions.inheritLevel': inheritLevels,
      },
      async handler(context) {
        const options = parseFlags(connectOptions, context.query.connectOptions ?? 'none', 'connectOptions');
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
        const path = new URL(`${context.collectionUrl}/`).pathname;
        return {
          body: {
            authenticatedUser: identity,
            authorizedUser: identity,
            instanceId,
            deploymentId: await context.services.deployment.instanceId(),
            deploymentType: 'hosted',
            lastUserAccess: context.services.deployment.now(),
            webApplicationRelativeDirectory: path,
            locationServiceData: {
              serviceOwner,
              defaultAccessMappingMoniker: 'PublicAccessMapping',
              lastChangeId: 1,
              lastChangeId64: 1,
              clientCacheFresh: false,
              clientCacheTimeToLive: 3600,
              accessMappings: [
                {
                  displayName: 'Public Access Mapping',
                  moniker: 'PublicAccessMapping',
                  accessPoint: context.collectionUrl,
                  serviceOwner,
                  virtualDirectory: '',
                },
              ],
              ...((options & connectOptions.includeServices) !== 0 && {
                serviceDefinitions: context.locations.map(serviceDefinition),
              }),
            },
          },
        };
      },
    }),
  },
};
