import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendForbiddenPage } from './error-pages.js';
import { signInPath } from './return-url.js';
import { currentUser } from './session.js';

/** preHandler: sends signed-out visitors to the sign-in page, coming back here afterwards for GETs. */
export async function requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (await currentUser(request)) return undefined;
  return reply.redirect(request.method === 'GET' ? signInPath(request.url) : '/_signin', 303);
}

/** preHandler: as requireSignedIn, then a 403 page for anyone who is not an administrator. */
export async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const user = await currentUser(request);
  if (!user) return requireSignedIn(request, reply);
  if (!user.isAdmin) return sendForbiddenPage(reply);
  return undefined;
}
