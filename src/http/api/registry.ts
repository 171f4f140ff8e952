import type { FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { Organization, Project } from '../../domain/entities.js';
import type { CredentialKind, Principal } from '../../domain/principal.js';
import { findScope } from '../../domain/scopes.js';
import type { BuildDefinitionService } from '../../services/build-definitions.js';
import type { BuildTagService } from '../../services/build-tags.js';
import type { BuildService } from '../../services/builds.js';
import type { DeploymentService } from '../../services/deployment.js';
import type { OperationService } from '../../services/operations.js';
import type { OrganizationService } from '../../services/organizations.js';
import type { ProjectService } from '../../services/projects.js';
import type { UserService } from '../../services/users.js';
import { type ApiVersion, compareVersions, parseApiVersion } from './api-version.js';

export const apiVerbs = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type ApiVerb = (typeof apiVerbs)[number];

/** The services handlers may use; `app.ts` hands in its own. */
export interface ApiServices {
  users: UserService;
  organizations: OrganizationService;
  projects: ProjectService;
  operations: OperationService;
  definitions: BuildDefinitionService;
  builds: BuildService;
  buildTags: BuildTagService;
  deployment: DeploymentService;
}

/** Where a location is served: under `/{organization}`, at the server root, or both. */
export type ApiHost = 'organization' | 'deployment';

export interface ApiRequestContext<Query = Record<string, string | undefined>, Body = unknown> {
  request: FastifyRequest;
  services: ApiServices;
  /** Undefined only on the server-root (deployment) host. */
  organization: Organization | undefined;
  /** Resolved from the `{project}` segment when the URL has one. */
  project: Project | undefined;
  /** Undefined only for operations that allow anonymous calls. */
  principal: Principal | undefined;
  /** Values of the template's other placeholders (`{buildId}`, `{*projectId}`...), absent when the URL omits them. */
  routeValues: Readonly<Record<string, string | undefined>>;
  query: Query;
  body: Body;
  apiVersion: ApiVersion;
  /** `https://host` (or LAPIS_PUBLIC_URL) with no trailing slash. */
  baseUrl: string;
  /** `baseUrl` plus `/{organization}` on the organization host. */
  collectionUrl: string;
}

export interface ApiResult {
  /** 200 unless given. */
  status?: number;
  /** Omitted for 204. */
  body?: unknown;
  /** Sent as `x-ms-continuationtoken`. */
  continuationToken?: string;
}

export interface ApiOperation {
  /** Any one of these scopes allows the call. Required: boot fails without it. */
  scopes: readonly string[];
  /** Credential kinds the operation accepts; all by default. */
  accepts?: readonly CredentialKind[];
  /** Callers without credentials are served too (credentials, when sent, are still checked). */
  anonymous?: boolean;
  query?: TSchema;
  body?: TSchema;
  /** Whether the body may be absent even though a schema is given. */
  bodyOptional?: boolean;
  summary: string;
  handler(context: ApiRequestContext<unknown, unknown>): Promise<ApiResult>;
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

/** Declares an operation with typed query and body (typebox schemas), erased to the registry's shape. */
export function operation<Q extends TSchema = TSchema, B extends TSchema = TSchema>(definition: {
  scopes: readonly string[];
  accepts?: readonly CredentialKind[];
  anonymous?: boolean;
  query?: Q;
  body?: B;
  bodyOptional?: boolean;
  summary: string;
  handler(context: ApiRequestContext<Static<Q>, Static<B>>): Promise<ApiResult>;
}): ApiOperation {
  return definition as unknown as ApiOperation;
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
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class RegistryError extends Error {
  override name = 'RegistryError';
}

function placeholder(segment: string): string | undefined {
  return /^\{\*?([A-Za-z][A-Za-z0-9]*)\}$/.exec(segment)?.[1];
}

/** Every path a location is reachable at: optional placeholders present or dropped, as the client builds URLs. */
function expand(location: ApiLocation): ApiRoute[] {
  const segments = location.routeTemplate.split('/').filter(Boolean);
  const optional = segments.filter((segment) => {
    const name = placeholder(segment);
    return name !== undefined && name !== 'area' && name !== 'resource' && (name !== 'project' || location.projectOptional);
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
      routes.push({ location, host, path: `/${parts.join('/')}`, valueNames, hasProject });
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

function checkVersions(location: ApiLocation): void {
  const [min, max, released] = [location.minVersion, location.maxVersion, location.releasedVersion].map((text) => {
    const version = parseApiVersion(text);
    if (!version || version.preview) throw new RegistryError(`${location.id}: "${text}" is not a major.minor version.`);
    return version;
  }) as [ApiVersion, ApiVersion, ApiVersion];
  if (compareVersions(min, max) > 0 || compareVersions(released, max) > 0) {
    throw new RegistryError(`${location.id}: versions must satisfy min <= max and released <= max.`);
  }
  if (!Number.isInteger(location.resourceVersion) || location.resourceVersion < 1) {
    throw new RegistryError(`${location.id}: resourceVersion must be a positive integer.`);
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
  readonly serverMaxVersion: string;

  constructor(locations: readonly ApiLocation[]) {
    const ids = new Map<string, ApiLocation>();
    const paths = new Map<string, ApiRoute>();
    const routes: ApiRoute[] = [];
    for (const location of locations) {
      const id = location.id;
      if (!guid.test(id)) throw new RegistryError(`Location id "${id}" must be a lower-case GUID.`);
      const previous = ids.get(id);
      if (previous) {
        throw new RegistryError(
          `Duplicate API location id ${id}: ${previous.area}/${previous.resourceName} and ${location.area}/${location.resourceName}.`,
        );
      }
      ids.set(id, location);
      checkVersions(location);
      const verbs = Object.entries(location.operations) as [ApiVerb, ApiOperation | undefined][];
      if (verbs.length === 0) throw new RegistryError(`${location.area}/${location.resourceName} (${id}) declares no operation.`);
      for (const [verb, declared] of verbs) {
        if (!apiVerbs.includes(verb)) throw new RegistryError(`${location.area}/${location.resourceName}: unknown verb ${verb}.`);
        if (!declared?.scopes || declared.scopes.length === 0) {
          throw new RegistryError(`${verb} ${location.area}/${location.resourceName} (${id}) declares no required scope.`);
        }
        const unknown = declared.scopes.filter((scope) => !findScope(scope));
        if (unknown.length > 0) {
          throw new RegistryError(
            `${verb} ${location.area}/${location.resourceName} requires unknown scope ${unknown.join(', ')}.`,
          );
        }
      }
      for (const route of expand(location)) {
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
    this.serverMaxVersion = locations
      .map((location) => location.maxVersion)
      .reduce(
        (newest, version) => (compareVersions(releaseOrThrow(version), releaseOrThrow(newest)) > 0 ? version : newest),
        '0.0',
      );
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

function releaseOrThrow(text: string): ApiVersion {
  const version = parseApiVersion(text);
  if (!version) throw new RegistryError(`"${text}" is not a version.`);
  return version;
}
