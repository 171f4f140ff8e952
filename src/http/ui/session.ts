import type { FastifyRequest } from 'fastify';
import type { User } from '../../domain/entities.js';
import type { WebSession } from '../../domain/web-session.js';
import type { WebSessionService } from '../../services/web-sessions.js';

declare module '@fastify/secure-session' {
  interface SessionData {
    /** The server-side session this cookie stands for; the store decides whether it still counts. */
    sessionId: string;
    sessionSecret: string;
  }
}

interface SignedIn {
  user: User;
  session: WebSession;
}

declare module 'fastify' {
  interface FastifyInstance {
    uiSessions: WebSessionService;
  }
  interface FastifyRequest {
    /** Memo of the session lookup: done once per request. */
    uiSignedIn: Promise<SignedIn | undefined> | null;
  }
}

function signedIn(request: FastifyRequest): Promise<SignedIn | undefined> {
  request.uiSignedIn ??= resume(request);
  return request.uiSignedIn;
}

async function resume(request: FastifyRequest): Promise<SignedIn | undefined> {
  const id = request.session.get('sessionId');
  const secret = request.session.get('sessionSecret');
  if (!id || !secret) return undefined;
  const resumed = await request.server.uiSessions.resume(id, secret);
  if (resumed) return resumed;
  // Keep the CSRF secret: a form posted just after the session ended should reach the sign-in redirect, not a 403.
  request.session.regenerate(['_csrf']);
  return undefined;
}

/** The signed-in user, or undefined when nobody is, or the session was ended, expired, or its user disabled. */
export async function currentUser(request: FastifyRequest): Promise<User | undefined> {
  return (await signedIn(request))?.user;
}

/** The id of the session this request belongs to, for "this session" on the sessions page. */
export async function currentSessionId(request: FastifyRequest): Promise<string | undefined> {
  return (await signedIn(request))?.session.id;
}

export async function signIn(request: FastifyRequest, user: User): Promise<void> {
  const previous = request.session.get('sessionId');
  if (previous) await request.server.uiSessions.end(previous);
  const { session, secret } = await request.server.uiSessions.start(user, {
    address: request.clientAddress,
    userAgent: request.headers['user-agent'] ?? '',
  });
  // Nothing from the anonymous session survives the privilege change, the CSRF secret included.
  request.session.regenerate();
  request.session.set('sessionId', session.id);
  request.session.set('sessionSecret', secret);
  request.uiSignedIn = Promise.resolve({ user, session });
}

/** Ends the session in the store, so a copy of the cookie stops working too, then clears the cookie. */
export async function signOut(request: FastifyRequest): Promise<void> {
  const id = request.session.get('sessionId');
  if (id) await request.server.uiSessions.end(id);
  request.session.delete();
  request.uiSignedIn = Promise.resolve(undefined);
}

/** For handlers behind requireSignedIn or requireAdmin, where a user is certain. */
export async function signedInUser(request: FastifyRequest): Promise<User> {
  const user = await currentUser(request);
  if (!user) throw new Error('signedInUser() used on a route without requireSignedIn or requireAdmin');
  return user;
}
