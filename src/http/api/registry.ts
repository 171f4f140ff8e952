import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
// biome-ignore lint/style/noRestrictedImports: a type only; ApiServices is a part of the composition's services, never a copy.
import type { Services } from '../../compose.js';
import type { Organization, Project } from '../../domain/entities.js';
import { isGuid } from '../../domain/guid.js';
import type { CredentialKind, Principal } from '../../domain/principal.js';
import { findScope } from '../../domain/scopes.js';
import { type ApiVersion, compareVersions, parseVersionRange, type VersionRange } from './api-version.js';
import type { EnumFields } from './representation.js';

export const apiVerbs = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type ApiVerb = (typeof apiVerbs)[number];

/** The services handlers may use: a part of the composition's own, so a new service needs no copy here. */
export type ApiServices = Pick<
  Services,
  | 'users'
  | 'organizations'
  | 'projects'
  | 'teams'
  | 'projectProperties'
  | 'operations'
  | 'definitions'
  | 'builds'
  | 'retentionLeases'
  | 'folders'
  | 'identities'
  | 'buildTags'
  | 'deployment'
  | 'credentialSelf'
  | 'tokens'
  | 'organizationTokens'
  | 'tokenRotations'
  | 'revocationRules'
  | 'audit'
>;

/** Where a location is served: under `/{organization}`, at the server root, or both. */
export type ApiHost = 'organization' | 'deployment';

/**
 * What a handler receives. The types say what the router guarantees: an organization unless the operation is
 * also served at the root (`rootOperation`), a principal unless it allows anonymous callers.
 */
export interface ApiRequestContext<
  Query = Record<string, string | undefined>,
  Body = unknown,
  Caller extends Principal | undefined = Principal,
  Host extends Organization | undefined = Organization,
> {
  request: FastifyRequest;
  services: ApiServices;
  organization: Host;
  /** Resolved from the `{project}` segment when the URL has one. */
  project: Project | undefined;
  principal: Caller;
  /** Values of the template's other placeholders (`{buildId}`, `{*projectId}`...), absent when the URL omits them. */
  routeValues: Readonly<Record<string, string | undefined>>;
  query: Query;
  body: Body;
  apiVersion: ApiVersion;
  /** `https://host` (or LAPIS_PUBLIC_URL) with no trailing slash. */
  baseUrl: string;
  /** `baseUrl` plus `/{organization}` on the organization host. */
  collectionUrl: string;
  /** Every location of the registry on this request's host (connectionData lists them as service definitions). */
  locations: readonly ApiLocation[];
}

export interface ApiResult {
  /** 200 unless given. */
  status?: number;
  /** Omitted for 204. */
  body?: unknown;
  /** Sent as `x-ms-continuationtoken`. */
  continuationToken?: string;
  /** A body that is not JSON (an SVG badge, a plain-text log): sent as is, instead of `body`. */
  text?: { contentType: string; content: string };
  /** A body written as it is produced (an export): sent chunked, never held whole in memory. */
  stream?: { contentType: string; content: Readable };
}

export interface ApiOperation {
  /** Any one of these scopes allows the call. Required: boot fails without it. */
  scopes: readonly string[];
  /** Credential kinds the operation accepts; all by default. */
  accepts?: readonly CredentialKind[];
  /** Callers without credentials are served too (credentials, when sent, are still checked). */
  anonymous?: boolean;
  /** Declared with `rootOperation`: the handler copes without an organization, so the location may be served at the root. */
  servedAtRoot?: boolean;
  query?: TSchema;
  body?: TSchema;
  /** Whether the body may be absent even though a schema is given. */
  bodyOptional?: boolean;
  /** Enum fields of the answer, sent as numbers when the client asks for `enumsAsNumbers`. */
  enums?: EnumFields;
  /**
   * A GET whose answer shows builds and nothing about the caller: its rendered answer is reused from the build page
   * cache (after the access gate) until a build, pipeline, project or person of the organization changes.
   */
  buildPage?: boolean;
  summary: string;
  handler(context: ApiRequestContext<unknown, unknown, Principal | undefined, Organization | undefined>): Promise<ApiResult>;
}

export interface ApiLocation {
  /** The location GUID clients have compiled in. */
  id: string;
  area: string;
  resourceName: string;
  /** Azure DevOps syntax: `{project}/_apis/{area}/{resource}/{buildId}`; segments whose value is empty are dropped. */
  routeTemplate: string;
  minVersion: string;
  maxVersion: string;
  releasedVersion: string;
  resourceVersion: number;
  /** Default: organization only. */
  hosts?: readonly ApiHost[];
  /** For templates with `{project}`: whether the URL may leave it out (organization-wide lists). */
  projectOptional?: boolean;
  operations: Partial<Record<ApiVerb, ApiOperation>>;
}

interface OperationDefinition<
  Q extends TSchema,
  B extends TSchema,
  Anonymous extends boolean,
  Host extends Organization | undefined,
> {
  scopes: readonly string[];
  accepts?: readonly CredentialKind[];
  anonymous?: Anonymous;
  query?: Q;
  body?: B;
  bodyOptional?: boolean;
  enums?: EnumFields;
  buildPage?: boolean;
  summary: string;
  handler(
    context: ApiRequestContext<Static<Q>, Static<B>, Anonymous extends true ? Principal | undefined : Principal, Host>,
  ): Promise<ApiResult>;
}

/** Declares an operation served under `/{organization}` only, with typed query and body (typebox schemas). */
export function operation<Q extends TSchema = TSchema, B extends TSchema = TSchema, Anonymous extends boolean = false>(
  definition: OperationDefinition<Q, B, Anonymous, Organization>,
): ApiOperation {
  return definition as unknown as ApiOperation;
}

/** Declares an operation of a location also served at the server root, where there is no organization. */
export function rootOperation<Q extends TSchema = TSchema, B extends TSchema = TSchema, Anonymous extends boolean = false>(
  definition: OperationDefinition<Q, B, Anonymous, Organization | undefined>,
): ApiOperation {
  return { ...definition, servedAtRoot: true } as unknown as ApiOperation;
}

/** One concrete path a location is served at. */
export interface ApiRoute {
  location: ApiLocation;
  host: ApiHost;
  /** Fastify syntax: `/:organization/:project/_apis/build/builds/:buildId`. */
  path: string;
  /** Placeholder names other than project, in path order. */
  valueNames: string[];
  hasProject: boolean;
  /** The location's versions, parsed at boot. */
  versions: VersionRange;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
}

function placeholder(segment: string): string | undefined {
  return /^\{\*?([A-Za-z][A-Za-z0-9]*)\}$/.exec(segment)?.[1];
}

/** Every path a location is reachable at: optional placeholders present or dropped, as the client builds URLs. */
function expand(location: ApiLocation, versions: VersionRange): ApiRoute[] {
  const segments = location.routeTemplate.split('/').filter(Boolean);
  const isValue = (segment: string) => {
    const name = placeholder(segment);
    return name !== undefined && name !== 'area' && name !== 'resource' && name !== 'project';
  };
  // A value followed by a literal segment (`{projectId}/teams`) is required: only trailing values may be left out.
  const optional = segments.filter((segment, index) => {
    if (placeholder(segment) === 'project') return location.projectOptional === true;
    return isValue(segment) && segments.slice(index + 1).every(isValue);
  });
  const routes: ApiRoute[] = [];
  for (const host of location.hosts ?? ['organization']) {
    for (let mask = 0; mask < 1 << optional.length; mask++) {
      const dropped = new Set(optional.filter((_, index) => (mask & (1 << index)) !== 0));
      const parts: string[] = host === 'organization' ? [':organization'] : [];
      const valueNames: string[] = [];
      let hasProject = false;
      for (const segment of segments) {
        if (dropped.has(segment)) continue;
        const name = placeholder(segment);
        if (name === undefined) parts.push(segment);
        else if (name === 'area') parts.push(location.area);
        else if (name === 'resource') parts.push(location.resourceName);
        else {
          if (name === 'project') {
            if (host === 'deployment')
              throw new RegistryError(`${location.id}: a {project} template cannot be served at the root.`);
            hasProject = true;
          } else valueNames.push(name);
          parts.push(`:${name}`);
        }
      }
      routes.push({ location, host, path: `/${parts.join('/')}`, valueNames, hasProject, versions });
    }
  }
  return routes;
}

function shape(path: string): string {
  return path
    .split('/')
    .map((part) => (part.startsWith(':') ? '*' : part.toLowerCase()))
    .join('/');
}

function checkVersions(location: ApiLocation): VersionRange {
  try {
    return parseVersionRange(location);
  } catch (error) {
    throw new RegistryError(`${location.id}: ${(error as Error).message}`);
  }
}

/**
 * The API location registry: every REST resource as data. Construction is the boot-time check; it throws on a
 * duplicate location id, two locations serving the same path, or an operation without a declared scope.
 */
export class ApiRegistry {
  readonly locations: readonly ApiLocation[];
  readonly routes: readonly ApiRoute[];
  /** The newest version any location supports: above it, requests are out of range for the whole server. */
  readonly serverMax: ApiVersion;

  constructor(locations: readonly ApiLocation[]) {
    const ids = new Map<string, ApiLocation>();
    const paths = new Map<string, ApiRoute>();
    const routes: ApiRoute[] = [];
    for (const location of locations) {
      const id = location.id;
      if (!isGuid(id) || id !== id.toLowerCase()) throw new RegistryError(`Location id "${id}" must be a lower-case GUID.`);
      const previous = ids.get(id);
      if (previous) {
        throw new RegistryError(
          `Duplicate API location id ${id}: ${previous.area}/${previous.resourceName} and ${location.area}/${location.resourceName}.`,
        );
      }
      ids.set(id, location);
      const versions = checkVersions(location);
      const verbs = Object.entries(location.operations) as [ApiVerb, ApiOperation | undefined][];
      if (verbs.length === 0) throw new RegistryError(`${location.area}/${location.resourceName} (${id}) declares no operation.`);
      for (const [verb, declared] of verbs) {
        if (!apiVerbs.includes(verb)) throw new RegistryError(`${location.area}/${location.resourceName}: unknown verb ${verb}.`);
        if (!declared?.scopes || declared.scopes.length === 0) {
          throw new RegistryError(`${verb} ${location.area}/${location.resourceName} (${id}) declares no required scope.`);
        }
        if ((location.hosts ?? []).includes('deployment') && !declared.servedAtRoot) {
          throw new RegistryError(
            `${verb} ${location.area}/${location.resourceName} is served at the root: declare it with rootOperation().`,
          );
        }
        const unknown = declared.scopes.filter((scope) => !findScope(scope));
        if (unknown.length > 0) {
          throw new RegistryError(
            `${verb} ${location.area}/${location.resourceName} requires unknown scope ${unknown.join(', ')}.`,
          );
        }
      }
      for (const route of expand(location, versions)) {
        const key = shape(route.path);
        const other = paths.get(key);
        if (other && other.location !== location) {
          throw new RegistryError(
            `Route templates overlap: ${other.location.area}/${other.location.resourceName} (${other.location.routeTemplate}) and ${location.area}/${location.resourceName} (${location.routeTemplate}) both serve ${route.path}.`,
          );
        }
        if (!other) {
          paths.set(key, route);
          routes.push(route);
        }
      }
    }
    this.locations = locations;
    this.routes = routes;
    this.serverMax = routes
      .map((route) => route.versions.max)
      .reduce((newest, version) => (compareVersions(version, newest) > 0 ? version : newest), {
        major: 0,
        minor: 0,
        preview: false,
      });
  }

  /**
   * The route a concrete path (no query string) reaches and its placeholder values, or undefined. Literals match
   * case-insensitively, as the router does; where two routes fit, the one with a literal earlier wins, as in Fastify.
   */
  match(path: string): { route: ApiRoute; values: Record<string, string> } | undefined {
    const segments = path.split('/').filter(Boolean);
    const candidates: { route: ApiRoute; values: Record<string, string>; literals: string }[] = [];
    for (const route of this.routes) {
      const parts = route.path.split('/').filter(Boolean);
      if (parts.length !== segments.length) continue;
      const values: Record<string, string> = {};
      const fits = parts.every((part, index) => {
        const segment = segments[index] ?? '';
        if (part.startsWith(':')) {
          values[part.slice(1)] = segment;
          return true;
        }
        return part.toLowerCase() === segment.toLowerCase();
      });
      const literals = parts.map((part) => (part.startsWith(':') ? '1' : '0')).join('');
      if (fits) candidates.push({ route, values, literals });
    }
    candidates.sort((a, b) => a.literals.localeCompare(b.literals));
    const best = candidates[0];
    return best && { route: best.route, values: best.values };
  }

  /** Locations of an area (case-insensitive), optionally one resource, on a host. */
  find(host: ApiHost, area?: string, resourceName?: string): ApiLocation[] {
    return this.locations.filter(
      (location) =>
        (location.hosts ?? ['organization']).includes(host) &&
        (area === undefined || location.area.toLowerCase() === area.toLowerCase()) &&
        (resourceName === undefined || location.resourceName.toLowerCase() === resourceName.toLowerCase()),
    );
  }
}
