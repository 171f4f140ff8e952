import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';

export interface ApiVersion {
  major: number;
  minor: number;
  preview: boolean;
  /** The `-preview.N` (or `res-version=N`) the client asked for, if any. */
  resourceVersion?: number;
}

/** The version facts of one location, as declared in the registry and advertised by discovery. */
export interface DeclaredVersions {
  routeTemplate: string;
  minVersion: string;
  maxVersion: string;
  releasedVersion: string;
  resourceVersion: number;
}

/** The same facts parsed once, at boot, for the per-request negotiation. */
export interface VersionRange {
  routeTemplate: string;
  min: ApiVersion;
  max: ApiVersion;
  released: ApiVersion;
  resourceVersion: number;
}

const pattern = /^(\d{1,4})\.(\d{1,4})(-preview(?:\.(\d{1,4}))?)?$/i;

export function parseApiVersion(text: string): ApiVersion | undefined {
  const match = pattern.exec(text.trim());
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    preview: match[3] !== undefined,
    ...(match[4] !== undefined && { resourceVersion: Number(match[4]) }),
  };
}

/** Compares major.minor only, as the server does. */
export function compareVersions(a: Pick<ApiVersion, 'major' | 'minor'>, b: Pick<ApiVersion, 'major' | 'minor'>): number {
  return a.major - b.major || a.minor - b.minor;
}

/** Parses a location's declared versions; throws when one is not `major.minor` or they are out of order. */
export function parseVersionRange(declared: DeclaredVersions): VersionRange {
  const [min, max, released] = [declared.minVersion, declared.maxVersion, declared.releasedVersion].map((text) => {
    const version = parseApiVersion(text);
    if (!version || version.preview) throw new Error(`"${text}" is not a major.minor version.`);
    return version;
  }) as [ApiVersion, ApiVersion, ApiVersion];
  if (compareVersions(min, max) > 0 || compareVersions(released, max) > 0) {
    throw new Error('versions must satisfy min <= max and released <= max.');
  }
  if (!Number.isInteger(declared.resourceVersion) || declared.resourceVersion < 1) {
    throw new Error('resourceVersion must be a positive integer.');
  }
  return { routeTemplate: declared.routeTemplate, min, max, released, resourceVersion: declared.resourceVersion };
}

export function formatApiVersion(version: ApiVersion): string {
  const base = `${version.major}.${version.minor}`;
  if (!version.preview) return base;
  return version.resourceVersion === undefined ? `${base}-preview` : `${base}-preview.${version.resourceVersion}`;
}

interface RequestedVersion {
  text: string;
  resVersion?: string;
}

/** The `name=value` parameters of the Accept header, names lower-cased. */
export function acceptParameters(request: FastifyRequest): Map<string, string> {
  const parameters = new Map<string, string>();
  const accept = request.headers.accept ?? '';
  for (const part of accept.split(/[;,]/)) {
    const [name, value] = part.split('=', 2);
    if (name && value !== undefined) parameters.set(name.trim().toLowerCase(), value.trim().replace(/^"|"$/g, ''));
  }
  return parameters;
}

/** The query string wins over the Accept header, as on Azure DevOps. */
function requestedVersion(request: FastifyRequest): RequestedVersion | undefined {
  const query = request.query as Record<string, unknown>;
  const fromAccept = acceptParameters(request);
  const queryVersion = typeof query['api-version'] === 'string' ? query['api-version'] : undefined;
  const text = queryVersion ?? fromAccept.get('api-version');
  if (text === undefined) return undefined;
  const resVersion =
    (typeof query['res-version'] === 'string' ? query['res-version'] : undefined) ?? fromAccept.get('res-version');
  return { text, ...(resVersion !== undefined && { resVersion }) };
}

const readOnlyMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Decides the version a request is served at, or refuses it with the server's exception and message.
 * `serverMax` is the newest version any route supports.
 */
export function negotiateApiVersion(
  request: FastifyRequest,
  method: string,
  range: VersionRange,
  serverMax: ApiVersion,
): ApiVersion {
  const requested = requestedVersion(request);
  const { released } = range;
  if (requested === undefined) {
    if (!readOnlyMethods.has(method)) {
      throw new DomainError(
        'apiVersionMissing',
        `No api-version was supplied for the "${method}" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. "?api-version=1.0").`,
      );
    }
    return { major: released.major, minor: released.minor, preview: false };
  }
  const version = parseApiVersion(requested.text);
  const resVersion = requested.resVersion === undefined ? undefined : Number(requested.resVersion);
  if (!version || (requested.resVersion !== undefined && !/^\d{1,4}$/.test(requested.resVersion))) {
    throw new DomainError(
      'apiVersionInvalid',
      `Invalid api version string: "${requested.text}". Api version string must be in the format: {Major}.{Minor}[-preview[.{ResourceVersion}]].`,
    );
  }
  if (compareVersions(version, serverMax) > 0) {
    throw new DomainError(
      'apiVersionOutOfRange',
      `The requested REST API version of ${requested.text} is out of range for this server. The latest REST API version this server supports is ${formatApiVersion(serverMax)}.`,
    );
  }
  if (compareVersions(version, range.min) < 0 || compareVersions(version, range.max) > 0) {
    throw new DomainError(
      'apiVersionOutOfRange',
      `The request matched route ${range.routeTemplate}, but the requested REST API version ${requested.text} was outside the valid version range for this route.`,
    );
  }
  if (!version.preview && compareVersions(version, released) > 0) {
    throw new DomainError(
      'apiVersionPreviewRequired',
      `The requested version "${requested.text}" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: "${requested.text}-preview"`,
    );
  }
  if (!version.preview) return version;
  // A client may ask for a newer resource version than this server has; it is served the newest one.
  const asked = version.resourceVersion ?? resVersion ?? range.resourceVersion;
  return Object.assign({}, version, { resourceVersion: Math.min(asked, range.resourceVersion) });
}
