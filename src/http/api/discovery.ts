import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { baseScope } from '../../domain/scopes.js';
import { setAdoResponseHeaders } from '../ado-headers.js';
import { type ApiOptions, contentType, rejectNulCharacters, resolveOrganization } from './pipeline.js';
import type { ApiHost, ApiLocation, ApiRegistry } from './registry.js';

/** The ApiResourceLocation shape clients index by id. */
export function describeLocation(location: ApiLocation) {
  return {
    id: location.id,
    area: location.area,
    resourceName: location.resourceName,
    routeTemplate: location.routeTemplate,
    resourceVersion: location.resourceVersion,
    minVersion: location.minVersion,
    maxVersion: location.maxVersion,
    releasedVersion: location.releasedVersion,
  };
}

/**
 * `OPTIONS _apis`, `_apis/{area}` and `_apis/{area}/{resource}`, under an organization and at the root, generated
 * from the registry. Discovery needs a credential like everything else, but only `vso.base`, which every token holds.
 */
export function registerDiscovery(api: FastifyInstance, registry: ApiRegistry, options: ApiOptions): void {
  const handler = (host: ApiHost) => async (request: FastifyRequest, reply: FastifyReply) => {
    setAdoResponseHeaders(request, reply);
    rejectNulCharacters(request);
    const organization = await resolveOrganization(options.services, request, host);
    const { area, resource } = request.params as { area?: string; resource?: string };
    const admission = await options.access.admit(request, reply, {
      ...(organization && { organization }),
      scopes: [baseScope],
      label: `OPTIONS _apis${area ? `/${area}` : ''}${resource ? `/${resource}` : ''}`,
    });
    if ('answered' in admission) return admission.answered;
    const locations = registry.find(host, area, resource);
    if (resource !== undefined) {
      const verbs = new Set(locations.flatMap((location) => Object.keys(location.operations)));
      reply.header('Access-Control-Allow-Methods', ['OPTIONS', ...verbs].join(','));
    }
    const value = locations.map(describeLocation);
    return reply
      .code(200)
      .header('content-type', contentType(undefined))
      .send(JSON.stringify({ count: value.length, value }));
  };
  for (const [host, prefix] of [
    ['organization', '/:organization'],
    ['deployment', ''],
  ] as const) {
    for (const suffix of ['/_apis', '/_apis/:area', '/_apis/:area/:resource']) {
      api.route({ method: 'OPTIONS', url: `${prefix}${suffix}`, handler: handler(host) });
    }
  }
}
