import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../domain/principal.js';
import { effectiveScopes } from '../../domain/scopes.js';
import type { MembershipCache } from '../../services/membership-cache.js';
import type { WebSessionService } from '../../services/web-sessions.js';
import type { ParsedAuthorization } from './authorization-header.js';
import type { SessionCookieReader } from './session-cookie-reader.js';
import type { Authenticator, AuthOutcome } from './types.js';

/**
 * The header a script on the pages sends with the session cookie. A cross-site form or link cannot set a
 * header, and a cross-site script cannot without a CORS preflight Lapis never grants: the cookie alone counts
 * for nothing, so a cookie-authenticated API call cannot be forged from another site.
 */
export const sessionApiHeader = 'x-lapis-session';

/** What a browser session may do over the REST API: manage its user's tokens, nothing else. */
const sessionScopes = effectiveScopes(['vso.tokens']);

/**
 * A signed-in browser session (the web UI's encrypted cookie, decoded only here) used
 * with the session header and no Authorization header. Its scopes reach only the token APIs.
 */
export class BrowserSessionAuthenticator implements Authenticator {
  readonly name = 'browser-session';

  constructor(
    private readonly sessions: WebSessionService,
    private readonly membership: MembershipCache,
    private readonly readCookie: SessionCookieReader,
  ) {}

  async authenticate(parsed: ParsedAuthorization, request: FastifyRequest): Promise<AuthOutcome> {
    if (parsed.scheme !== 'none' || request.headers[sessionApiHeader] === undefined) return { kind: 'none' };
    const cookie = this.readCookie(request);
    const id = cookie?.get('sessionId');
    const secret = cookie?.get('sessionSecret');
    if (!id || !secret) return { kind: 'none' };
    // An ended or expired session is no credential: the caller is anonymous and told to sign in.
    const resumed = await this.sessions.resume(id, secret);
    if (!resumed) return { kind: 'none' };
    const principal: Principal = {
      user: resumed.user,
      credential: 'session',
      scopes: sessionScopes,
      organizationId: null,
      memberOf: await this.membership.organizationsOf(resumed.user.id),
    };
    return { kind: 'principal', principal };
  }
}
