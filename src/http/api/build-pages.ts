import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import type { Project } from '../../domain/entities.js';
import type { BuildPageCache } from '../../services/build-page-cache.js';
import type { ApiVersion } from './api-version.js';
import { contentType } from './pipeline.js';
import type { ApiOperation, ApiResult, ApiRoute } from './registry.js';
import { isStreamedList, responseFormat, serializeBody } from './representation.js';

/** A build read's answer as it went out: the bytes and the headers that depend on the data. */
export interface RenderedPage {
  body: Buffer;
  contentType: string;
  continuationToken: string | undefined;
}

export type RenderedPages = BuildPageCache<RenderedPage>;

/** Pages held at once, and their summed size: a few hundred pages of 100 builds at most. */
export const renderedPageBounds = { maxEntries: 5_000, maxBytes: 32 * 1024 * 1024 };

/** The body, the key (two bytes a character) and a rough allowance for the entry and its headers. */
export function renderedPageSize(page: RenderedPage, key: string): number {
  return page.body.length + key.length * 2 + 256;
}

const declaredNames = new WeakMap<TSchema, readonly string[]>();

/** The query parameters an operation declares, sorted: only these reach the handler's reading of the query. */
function declaredParameters(schema: TSchema | undefined): readonly string[] {
  if (!schema) return [];
  let names = declaredNames.get(schema);
  if (!names) {
    names = Object.keys((schema as { properties?: object }).properties ?? {}).sort();
    declaredNames.set(schema, names);
  }
  return names;
}

export interface PageRequest {
  request: FastifyRequest;
  route: ApiRoute;
  operation: ApiOperation;
  version: ApiVersion | undefined;
  project: Project | undefined;
  routeValues: Record<string, string | undefined>;
  query: Record<string, unknown>;
  baseUrl: string;
}

/**
 * Everything a build read's answer depends on besides the stored data (the organization is the cache's part): the
 * location, the URL's project and values, every declared query parameter, the representation the Accept header
 * chose, the content type (the negotiated api-version) and the base URL the links are built on.
 */
export function pageKey(page: PageRequest): string {
  const format = responseFormat(page.request);
  return JSON.stringify([
    page.route.location.id,
    page.project?.id ?? null,
    page.route.valueNames.map((name) => page.routeValues[name] ?? null),
    declaredParameters(page.operation.query).map((name) => page.query[name] ?? null),
    [format.excludeUrls, format.enumsAsNumbers, format.msDateFormat, format.noArrayWrap],
    contentType(page.version),
    page.baseUrl,
  ]);
}

/** The answer as the reply step would send it, when it is a plain 200 JSON body that is not streamed. */
export function renderPage(
  request: FastifyRequest,
  version: ApiVersion | undefined,
  operation: ApiOperation,
  result: ApiResult,
): RenderedPage | undefined {
  if (result.stream || result.text || result.body === undefined || (result.status ?? 200) !== 200) return undefined;
  if (isStreamedList(result.body)) return undefined;
  const text = serializeBody(result.body, responseFormat(request), operation.enums);
  return { body: Buffer.from(text), contentType: contentType(version), continuationToken: result.continuationToken };
}

export function sendPage(reply: FastifyReply, page: RenderedPage) {
  if (page.continuationToken) reply.header('x-ms-continuationtoken', page.continuationToken);
  return reply.code(200).header('content-type', page.contentType).send(page.body);
}
