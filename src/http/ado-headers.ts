import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isGuid } from '../domain/guid.js';
import type { Principal } from '../domain/principal.js';

/** Headers every Azure DevOps API answer carries; clients log ActivityId and echo X-TFS-Session. */
export function setAdoResponseHeaders(request: FastifyRequest, reply: FastifyReply): void {
  const session = request.headers['x-tfs-session'];
  reply.header('ActivityId', request.id);
  reply.header('X-VSS-E2EID', request.id);
  reply.header('X-TFS-Session', typeof session === 'string' && isGuid(session) ? session : randomUUID());
  reply.header('Access-Control-Expose-Headers', 'ActivityId,X-TFS-Session,X-MS-ContinuationToken,X-VSS-GlobalMessage,ETag');
}

/** `X-VSS-UserData: {userId}:{username}` once a request is authenticated. */
export function setUserDataHeader(reply: FastifyReply, principal: Principal): void {
  reply.header('X-VSS-UserData', `${principal.user.id}:${principal.user.username}`);
}
