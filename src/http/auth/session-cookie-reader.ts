import fastifyCookie from '@fastify/cookie';
import fastifySecureSession, { type SecureSessionPluginOptions } from '@fastify/secure-session';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** What the API reads of the web UI's session cookie. */
export interface SessionCookie {
  get(key: 'sessionId' | 'sessionSecret'): string | undefined;
}

/** The request's decrypted session cookie, or undefined when it sent none (or one that does not decrypt). */
export type SessionCookieReader = (request: FastifyRequest) => SessionCookie | undefined;

/**
 * The API reads (never writes) the web UI's session cookie, and only for a request that presents the session header.
 * The cookie and session plugins live in a context of their own that serves no route, so their per-request hooks
 * (parse every cookie, decrypt the session, look for changes to write back) never run for API requests; the reader
 * uses their decoders when the browser-session authenticator asks.
 */
export async function sessionCookieReader(
  app: FastifyInstance,
  options: SecureSessionPluginOptions,
): Promise<SessionCookieReader> {
  const cookieName = options.cookieName ?? 'session';
  let reader: SessionCookieReader | undefined;
  await app.register(async (context) => {
    await context.register(fastifyCookie);
    await context.register(fastifySecureSession, options);
    reader = (request) => {
      const header = request.headers.cookie;
      const cookie = header ? context.parseCookie(header)[cookieName] : undefined;
      return cookie ? (context.decodeSecureSession(cookie, request.log) ?? undefined) : undefined;
    };
  });
  if (!reader) throw new Error('the session cookie decoder was not registered');
  return reader;
}
