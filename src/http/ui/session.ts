import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.js';
import type { User } from '../../domain/entities.js';

declare module '@fastify/secure-session' {
  interface SessionData {
    userId: string;
    /** ISO time of signing in: the session's absolute lifetime counts from here. */
    signedInAt: string;
  }
}

export interface SessionPolicy {
  findUser(id: string): Promise<User | undefined>;
  clock: Clock;
  maxAgeMs: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    uiSessionPolicy: SessionPolicy;
  }
  interface FastifyRequest {
    /** Memo of `currentUser`: loaded once per request. */
    uiUser: Promise<User | undefined> | null;
  }
}

/** The signed-in user, or undefined when nobody is, the session has outlived its lifetime, or the user is gone or disabled. */
export function currentUser(request: FastifyRequest): Promise<User | undefined> {
  request.uiUser ??= loadUser(request);
  return request.uiUser;
}

async function loadUser(request: FastifyRequest): Promise<User | undefined> {
  const userId = request.session.get('userId');
  const signedInAt = request.session.get('signedInAt');
  if (!userId || !signedInAt) return undefined;
  const policy = request.server.uiSessionPolicy;
  const age = policy.clock.now().getTime() - Date.parse(signedInAt);
  const user = age >= 0 && age < policy.maxAgeMs ? await policy.findUser(userId) : undefined;
  if (user && !user.disabledAt) return user;
  // Keep the CSRF secret: a form posted just after expiry should reach the sign-in redirect, not a 403.
  request.session.regenerate(['_csrf']);
  return undefined;
}

export function signIn(request: FastifyRequest, user: User): void {
  // Nothing from the anonymous session survives the privilege change, the CSRF secret included.
  request.session.regenerate();
  request.session.set('userId', user.id);
  request.session.set('signedInAt', request.server.uiSessionPolicy.clock.now().toISOString());
  request.uiUser = Promise.resolve(user);
}

export function signOut(request: FastifyRequest): void {
  request.session.delete();
  request.uiUser = Promise.resolve(undefined);
}

/** For handlers behind requireSignedIn or requireAdmin, where a user is certain. */
export async function signedInUser(request: FastifyRequest): Promise<User> {
  const user = await currentUser(request);
  if (!user) throw new Error('signedInUser() used on a route without requireSignedIn or requireAdmin');
  return user;
}
