import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isGuid } from '../domain/guid.js';
import type { Principal } from '../domain/principal.js';
import { expiresAtHeader, expiryWarningHeader, policyWarningHeader } from './auth/credential-headers.js';
import { rateLimitHeaders } from './auth/rate-limit-headers.js';

/** Azure DevOps names the serving process; one id per Lapis process tells instances apart behind a balancer. */
const processId = randomUUID();

/**
 * Response headers a script in a browser page may read: Azure DevOps's own list, then Lapis's (credential expiry,
 * policy warning, rate limit and when to retry), which a cross-origin caller could not see otherwise.
 */
const exposedHeaders = [
  'ActivityId',
  'X-TFS-Session',
  'X-MS-ContinuationToken',
  'X-VSS-GlobalMessage',
  'ETag',
  expiresAtHeader,
  expiryWarningHeader,
  policyWarningHeader,
  ...rateLimitHeaders,
  'Retry-After',
].join(',');

/** The session GUID a client sends, possibly followed by `,{command}` (the fetch-based client adds one). */
function clientSession(request: FastifyRequest): string | undefined {
  const header = request.headers['x-tfs-session'];
  const session = typeof header === 'string' ? header.split(',', 1)[0]?.trim() : undefined;
  return session && isGuid(session) ? session : undefined;
}

/**
 * Headers every Azure DevOps answer carries, errors and unknown routes included; clients log ActivityId and
 * echo X-TFS-Session. Set once per request: a later call (the error handler) keeps the first values.
 */
export function setAdoResponseHeaders(request: FastifyRequest, reply: FastifyReply): void {
  // Lower-case names, as Fastify stores and sends them: a name it must lower-case itself is a new string per call,
  // looked up in V8's string table at every header store (about 80 ns a header in a loop, several times that in a
  // server). HTTP names are case-insensitive; these go out lower-cased either way.
  if (reply.hasHeader('activityid')) return;
  reply.header('activityid', request.id);
  reply.header('x-vss-e2eid', request.id);
  reply.header('x-tfs-session', clientSession(request) ?? randomUUID());
  reply.header('x-tfs-processid', processId);
  reply.header('access-control-expose-headers', exposedHeaders);
}

/** By user object: a cached credential's user is the same object on every request, so its value is built once. */
const userDataValues = new WeakMap<Principal['user'], string>();

/** `X-VSS-UserData: {userId}:{username}` once a request is authenticated. */
export function setUserDataHeader(reply: FastifyReply, principal: Principal): void {
  const { user } = principal;
  let value = userDataValues.get(user);
  if (value === undefined) {
    value = `${user.id}:${user.username}`;
    userDataValues.set(user, value);
  }
  reply.header('x-vss-userdata', value);
}
