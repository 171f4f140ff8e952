import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Project } from '../../domain/entities.js';
import { DomainError } from '../../domain/errors.js';
import { setAdoResponseHeaders } from '../ado-headers.js';
import { baseUrl } from '../base-url.js';
import { type ApiVersion, negotiateApiVersion } from './api-version.js';
import { apiLocations } from './areas/index.js';
import { pageKey, renderPage, sendPage } from './build-pages.js';
import { registerDiscovery } from './discovery.js';
import { jsonDepth, maxJsonDepth } from './json-depth.js';
import { type ApiOptions, contentType, rejectNulCharacters, resolveOrganization } from './pipeline.js';
import { type ApiOperation, ApiRegistry, type ApiResult, type ApiRoute, type ApiVerb, apiVerbs } from './registry.js';
import { isStreamedList, responseFormat, serializeBody, serializeListInSlices } from './representation.js';
import { coerceQuery } from './values.js';

type Validator = ReturnType<typeof Compile>;

const validators = new WeakMap<TSchema, Validator>();

function validatorFor(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

/** The `maxItems` of the array a schema (or one member of its union) accepts. */
function arrayLimit(schema: TSchema): number | undefined {
  const shape = schema as { type?: unknown; maxItems?: unknown; anyOf?: TSchema[] };
  if (shape.type === 'array') return typeof shape.maxItems === 'number' ? shape.maxItems : undefined;
  return shape.anyOf?.map(arrayLimit).find((limit) => limit !== undefined);
}

/** For a union, the member of the value's JSON kind, so a refusal names what is wrong inside it. */
function unionMemberFor(schema: TSchema, value: unknown): TSchema {
  const kind = Array.isArray(value) ? 'array' : typeof value === 'object' && value !== null ? 'object' : undefined;
  const members = (schema as { anyOf?: TSchema[] }).anyOf ?? [];
  return members.find((member) => (member as { type?: unknown }).type === kind) ?? schema;
}

function check(schema: TSchema, value: unknown, what: string): void {
  // Judged before any item is: listing the errors of a huge array costs seconds of the event loop.
  const limit = Array.isArray(value) ? arrayLimit(schema) : undefined;
  if (limit !== undefined && Array.isArray(value) && value.length > limit) {
    throw new DomainError('invalidInput', `The ${what} may hold at most ${limit} items; this one holds ${value.length}.`);
  }
  const validator = validatorFor(schema);
  if (validator.Check(value)) return;
  const [first] = validatorFor(unionMemberFor(schema, value)).Errors(value);
  const where = first?.instancePath ? ` at ${first.instancePath}` : '';
  throw new DomainError('invalidInput', `The ${what} is not valid${where}: ${first?.message ?? 'unexpected value'}.`);
}

/** The verb a request means: POST may carry `X-HTTP-Method-Override`, HEAD is a GET without a body. */
function effectiveVerb(request: FastifyRequest): ApiVerb {
  if (request.method === 'HEAD') return 'GET';
  const override = request.headers['x-http-method-override'];
  if (request.method === 'POST' && typeof override === 'string' && override !== '') {
    const verb = override.trim().toUpperCase();
    if (!(apiVerbs as readonly string[]).includes(verb)) {
      throw new DomainError('invalidInput', `X-HTTP-Method-Override names an unsupported method "${override}".`);
    }
    return verb as ApiVerb;
  }
  return request.method as ApiVerb;
}

function readBody(operation: ApiOperation, raw: unknown): unknown {
  const text = typeof raw === 'string' ? raw : '';
  if (!operation.body) return undefined;
  if (text.trim() === '') {
    if (operation.bodyOptional) return undefined;
    throw new DomainError('invalidInput', 'The request body is required.');
  }
  if (jsonDepth(text) > maxJsonDepth) {
    throw new DomainError('invalidInput', `The request body nests deeper than ${maxJsonDepth} levels.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError('invalidInput', 'The request body is not valid JSON.');
  }
  // PostgreSQL text cannot hold NUL, and no Azure DevOps field needs it.
  if (JSON.stringify(parsed).includes('\\u0000'))
    throw new DomainError('invalidInput', 'The request body contains a NUL character.');
  check(operation.body, parsed, 'request body');
  return parsed;
}

/** The reply step: status, paging header, and the body in the representation the Accept header asked for. */
function send(request: FastifyRequest, reply: FastifyReply, version: ApiVersion, operation: ApiOperation, result: ApiResult) {
  if (result.continuationToken) reply.header('x-ms-continuationtoken', result.continuationToken);
  if (result.stream) {
    return reply
      .code(result.status ?? 200)
      .header('content-type', result.stream.contentType)
      .send(result.stream.content);
  }
  if (result.text)
    return reply
      .code(result.status ?? 200)
      .header('content-type', result.text.contentType)
      .send(result.text.content);
  const status = result.status ?? (result.body === undefined ? 204 : 200);
  if (result.body === undefined) return reply.code(status).send();
  reply.code(status).header('content-type', contentType(version));
  const format = responseFormat(request);
  if (isStreamedList(result.body)) {
    return reply.send(Readable.from(serializeListInSlices(result.body, format, operation.enums), { objectMode: false }));
  }
  return reply.send(serializeBody(result.body, format, operation.enums));
}

function handlerFor(route: ApiRoute, registry: ApiRegistry, options: ApiOptions) {
  const { location } = route;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    setAdoResponseHeaders(request, reply);
    rejectNulCharacters(request);
    const verb = effectiveVerb(request);
    const organization = await resolveOrganization(options.services, request, route.host);
    const operation = location.operations[verb];
    if (!operation) {
      reply.header('Allow', Object.keys(location.operations).join(', '));
      throw new DomainError('methodNotAllowed', `The requested resource does not support http method '${verb}'.`);
    }
    const version = negotiateApiVersion(request, verb, route.versions, registry.serverMax);
    const params = request.params as Record<string, string | undefined>;
    // `{project}` in build routes, `{projectId}` in core's: either names the project a restricted token is checked against.
    const projectName = params.project ?? params.projectId;
    // Not led by a spread: on Node 20 (V8 11.3) an object literal that starts with one gets a new hidden class on every
    // call (about 1 µs, and every property read from it then misses its inline cache).
    const admitted = options.access.admit(request, reply, {
      scopes: operation.scopes,
      ...(organization && { organization }),
      ...(operation.accepts && { accepts: operation.accepts }),
      ...(operation.anonymous && { anonymous: true }),
      label: `${verb} ${location.area}/${location.resourceName}`,
      method: verb,
      ...(organization &&
        projectName && {
          project: { name: projectName, load: () => options.services.projects.find(organization.id, projectName) },
        }),
    });
    // A caller known from memory is admitted as a value: awaiting it would still cost a turn of the microtask queue.
    const admission = admitted instanceof Promise ? await admitted : admitted;
    if ('answered' in admission) return admission.answered;
    // Only after authentication: who may not read the organization learns nothing about its projects.
    let project: Project | undefined = admission.project;
    if (!project && route.hasProject && organization)
      project = await options.services.projects.get(organization.id, params.project ?? '');
    const received = request.query as Record<string, unknown>;
    const query = operation.query ? coerceQuery(operation.query, received) : received;
    if (operation.query) check(operation.query, query, 'query string');
    const body = readBody(operation, request.body);
    const base = baseUrl(request, options.config.publicUrl);
    const routeValues = Object.fromEntries(route.valueNames.map((name) => [name, params[name]]));
    const slot =
      operation.buildPage && verb === 'GET' && organization && options.pages
        ? options.pages.slot(
            organization.id,
            pageKey({ request, route, operation, version, project, routeValues, query, baseUrl: base }),
          )
        : undefined;
    if (slot?.page) return sendPage(reply, slot.page);
    const result = await operation.handler({
      request,
      services: options.services,
      organization,
      project,
      principal: admission.principal,
      routeValues,
      query,
      body,
      apiVersion: version,
      baseUrl: base,
      collectionUrl: organization ? `${base}/${encodeURIComponent(organization.name)}` : base,
      locations: registry.find(route.host),
    });
    const page = slot && renderPage(request, version, operation, result);
    if (!slot || !page) return send(request, reply, version, operation, result);
    slot.keep(page);
    return sendPage(reply, page);
  };
}

/**
 * Serves the registry as Fastify routes in one encapsulated plugin: its own body parsing (so authentication
 * runs before a malformed body is judged), discovery, and one handler per concrete path.
 */
export async function registerApi(app: FastifyInstance, options: ApiOptions): Promise<ApiRegistry> {
  const registry = new ApiRegistry(options.locations ?? apiLocations);
  await app.register(async (api) => {
    // The fetch-based official client sends `Content-Type: undefined` on requests without a body; Azure DevOps ignores
    // the content type of an empty request, and so does Lapis.
    api.addHook('onRequest', async (request) => {
      const length = request.headers['content-length'];
      const empty = (length === undefined || length === '0') && request.headers['transfer-encoding'] === undefined;
      if (empty) delete request.headers['content-type'];
    });
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    registerDiscovery(api, registry, options);
    for (const route of registry.routes) {
      // Every verb is routed: the ones a location lacks get 405, and POST can carry X-HTTP-Method-Override.
      api.route({ method: [...apiVerbs], url: route.path, handler: handlerFor(route, registry, options) });
    }
  });
  return registry;
}
