import type { FastifyRequest } from 'fastify';
import type { Refusal } from '../../domain/authorization.js';
import type { Principal } from '../../domain/principal.js';
import { effectiveScopes } from '../../domain/scopes.js';
import type { FailureThrottle } from '../../services/failure-throttle.js';
import type { OAuthTokenVerifier, OAuthVerification } from '../../services/oauth-token-verifier.js';
import type { ParsedAuthorization } from './authorization-header.js';
import { throttledFailure } from './throttled-failure.js';
import type { Authenticator, AuthOutcome } from './types.js';

function failureFor(result: Exclude<OAuthVerification, { status: 'active' }>): Refusal {
  switch (result.status) {
    case 'expired':
      return { reason: 'expired', message: 'Access Denied: The OAuth access token used has expired.', credential: 'oauth' };
    case 'revoked':
      return {
        reason: 'revoked',
        message: 'Access Denied: The authorization behind the OAuth access token has been revoked.',
        credential: 'oauth',
      };
    case 'disabledUser':
      return {
        reason: 'disabledUser',
        message: `TF400813: The user '${result.user.username}' is disabled.`,
        credential: 'oauth',
      };
    default:
      return {
        reason: 'invalid',
        message: 'TF400813: The user is not authorized to access this resource: the access token is not valid.',
        credential: 'oauth',
      };
  }
}

/** OAuth access tokens (signed JWTs from /oauth2/token) in `Authorization: Bearer`. */
export class BearerOAuthAuthenticator implements Authenticator {
  readonly name = 'bearer-oauth';

  constructor(
    private readonly verifier: OAuthTokenVerifier,
    private readonly throttle: FailureThrottle,
    private readonly publicUrl: string,
  ) {}

  async authenticate(parsed: ParsedAuthorization, request: FastifyRequest): Promise<AuthOutcome> {
    if (parsed.scheme === 'malformed' && parsed.claimedBy === 'bearer') {
      return throttledFailure(this.throttle, request, { reason: 'malformed', message: parsed.reason, credential: 'oauth' });
    }
    if (parsed.scheme !== 'bearer') return { kind: 'none' };
    // Without LAPIS_PUBLIC_URL the issuer is whatever host name issued the token; a token issued through
    // localhost must still work through 127.0.0.1, so only a configured public URL is required as issuer.
    const result = await this.verifier.verify(parsed.token, this.publicUrl || undefined);
    if (result.status !== 'active') return throttledFailure(this.throttle, request, failureFor(result));
    const principal: Principal = {
      user: result.user,
      credential: 'oauth',
      scopes: effectiveScopes(result.claims.scopes),
      grantedScopes: result.claims.scopes,
      authorizationId: result.grant.id,
      organizationId: null,
      memberOf: result.memberOf,
      expiresAt: result.claims.expiresAt.toISOString(),
    };
    return { kind: 'principal', principal };
  }
}
