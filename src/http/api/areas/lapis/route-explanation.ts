import { DomainError } from '../../../../domain/errors.js';
import type { CredentialKind } from '../../../../domain/principal.js';
import { findScope } from '../../../../domain/scopes.js';
import { type ApiHost, type ApiRegistry, type ApiVerb, apiVerbs } from '../../registry.js';

/** Which route answers a method and path, and what it asks of a caller: the facts `explain` shows. */
export interface RouteExplanation {
  method: ApiVerb;
  path: string;
  locationId: string;
  area: string;
  resourceName: string;
  routeTemplate: string;
  host: ApiHost;
  /** The placeholders' values in the path (organization, project, ids). */
  routeValues: Record<string, string>;
  versions: { min: string; max: string; released: string; resourceVersion: number };
  /** The verbs the location serves; the method is one of them or the route answers 405. */
  methods: ApiVerb[];
  /** Null when the route does not serve the method. */
  operation: {
    summary: string;
    /** Any one of them is enough. */
    scopes: { id: string; title: string }[];
    /** Credential kinds accepted; null: all of them. */
    accepts: readonly CredentialKind[] | null;
    anonymous: boolean;
  } | null;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Reads `method` and `path` (a path such as `/contoso/web/_apis/build/builds`; a query string is ignored). */
export function explainRoute(registry: ApiRegistry, method: string, path: string): RouteExplanation {
  const verb = method.trim().toUpperCase();
  if (!(apiVerbs as readonly string[]).includes(verb)) {
    throw new DomainError('invalidInput', `The method must be one of ${apiVerbs.join(', ')}, not "${method}".`);
  }
  const bare = path.split('?', 1)[0] ?? '';
  if (!bare.startsWith('/')) throw new DomainError('invalidInput', `The path must start with "/": "${path}".`);
  const found = registry.match(bare);
  if (!found) throw new DomainError('invalidInput', `No route of this server answers ${bare}.`);
  const { route, values } = found;
  const { location } = route;
  const declared = location.operations[verb as ApiVerb];
  return {
    method: verb as ApiVerb,
    path: bare,
    locationId: location.id,
    area: location.area,
    resourceName: location.resourceName,
    routeTemplate: location.routeTemplate,
    host: route.host,
    routeValues: Object.fromEntries(Object.entries(values).map(([name, value]) => [name, decoded(value)])),
    versions: {
      min: location.minVersion,
      max: location.maxVersion,
      released: location.releasedVersion,
      resourceVersion: location.resourceVersion,
    },
    methods: Object.keys(location.operations) as ApiVerb[],
    operation: declared
      ? {
          summary: declared.summary,
          scopes: declared.scopes.map((id) => ({ id, title: findScope(id)?.title ?? id })),
          accepts: declared.accepts ?? null,
          anonymous: declared.anonymous === true,
        }
      : null,
  };
}
