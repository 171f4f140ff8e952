import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isGuid } from '../domain/guid.js';
import type { Principal } from '../domain/principal.js';

/** Azure DevOps names the serving process; one id per Lapis process tells instances apart behind a balancer. */
const processId = randomUUID();

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
  if (reply.hasHeader('ActivityId')) return;
  reply.header('ActivityId', request.id);
  reply.header('X-VSS-E2EID', request.id);
  reply.header('X-TFS-Session', clientSession(request) ?? randomUUID());
  reply.header('X-TFS-ProcessId', processId);
  reply.header('Access-Control-Expose-Headers', 'ActivityId,X-TFS-Session,X-MS-ContinuationToken,X-VSS-GlobalMessage,ETag');
}

/** `X-VSS-UserData: {userId}:{username}` once a request is authenticated. */
export function setUserDataHeader(reply: FastifyReply, principal: Principal): void {
  reply.header('X-VSS-UserData', `${principal.user.id}:${principal.user.username}`);
}
