import type { FastifyRequest } from 'fastify';
import type { Refusal } from '../../domain/authorization.js';
import type { PersonalAccessToken } from '../../domain/entities.js';
import { looksLikePat } from '../../domain/pat-format.js';
import type { Principal } from '../../domain/principal.js';
import { effectiveScopes } from '../../domain/scopes.js';
import type { FailureThrottle } from '../../services/failure-throttle.js';
import type { OrganizationPolicyService } from '../../services/org-policies.js';
import type { PatVerification, PatVerifier } from '../../services/pat-verifier.js';
import type { ParsedAuthorization } from './authorization-header.js';
import { throttledFailure } from './throttled-failure.js';
import type { Authenticator, AuthOutcome } from './types.js';

const anonymous: Refusal = {
  reason: 'invalid',
  message: 'TF400813: The user is not authorized to access this resource: the personal access token is not valid.',
  credential: 'pat',
};

const none: AuthOutcome = { kind: 'none' };

function failureFor(result: Exclude<PatVerification, { status: 'active' }>): Refusal {
  switch (result.status) {
    case 'expired':
      return { reason: 'expired', message: 'Access Denied: The Personal Access Token used has expired.', ...recognised(result) };
    case 'revoked':
      return {
        reason: 'revoked',
        message: 'Access Denied: The Personal Access Token used has been revoked.',
        ...recognised(result),
      };
    case 'disabledUser':
      return {
        reason: 'disabledUser',
        message: `TF400813: The user '${result.user.username}' is disabled.`,
        ...recognised(result),
      };
    default:
      return anonymous;
  }
}

function recognised(result: { token: PersonalAccessToken }) {
  return { credential: 'pat', authorizationId: result.token.id } as const;
}

/**
 * Personal access tokens over HTTP Basic, as the document shows them: the token in the password half with
 * any user name (`-u username:PAT`, `-u :PAT`), or in the user half (`-u PAT:`), as Azure DevOps Server also reads it.
 */
export class BasicPatAuthenticator implements Authenticator {
  readonly name = 'basic-pat';

  /** One principal per cached lookup: rebuilt when the verifier or the membership cache loads the token or user anew. */
  private readonly principals = new WeakMap<PersonalAccessToken, Principal>();

  constructor(
    private readonly verifier: PatVerifier,
    private readonly throttle: FailureThrottle,
    /** Organization token policies: a token that breaks one in warn mode is named back in a header. */
    private readonly policies?: OrganizationPolicyService,
  ) {}

  authenticate(parsed: ParsedAuthorization, request: FastifyRequest, now: Date): AuthOutcome | Promise<AuthOutcome> {
    if (parsed.scheme === 'malformed' && parsed.claimedBy === 'basic') {
      return throttledFailure(this.throttle, request, { reason: 'malformed', message: parsed.reason, credential: 'pat' });
    }
    if (parsed.scheme !== 'basic') return none;
    // Azure DevOps Server reads the user half first when it has the shape of a token.
    const candidate = looksLikePat(parsed.user) || parsed.password === '' ? parsed.user : parsed.password;
    const result = this.verifier.verify(candidate, now);
    return result instanceof Promise
      ? result.then((settled) => this.outcomeOf(settled, request, now))
      : this.outcomeOf(result, request, now);
  }

  private outcomeOf(result: PatVerification, request: FastifyRequest, now: Date): AuthOutcome | Promise<AuthOutcome> {
    if (result.status !== 'active') return throttledFailure(this.throttle, request, failureFor(result));
    const principal = this.principalOf(result);
    const warning = this.policies?.warningFor(result.token, result.memberOf, request.clientAddress, now.getTime());
    if (warning) return { kind: 'principal', principal: { policyWarning: warning, ...principal } };
    return { kind: 'principal', principal };
  }

  private principalOf(result: Extract<PatVerification, { status: 'active' }>): Principal {
    const known = this.principals.get(result.token);
    if (known?.user === result.user && known.memberOf === result.memberOf && known.restrictions === result.restrictions) {
      return known;
    }
    const principal: Principal = {
      user: result.user,
      credential: 'pat',
      scopes: effectiveScopes(result.token.scopes),
      authorizationId: result.token.id,
      organizationId: result.token.organizationId,
      memberOf: result.memberOf,
      grantedScopes: result.token.scopes,
      ...(result.restrictions && { restrictions: result.restrictions }),
      expiresAt: result.token.validTo,
    };
    this.principals.set(result.token, principal);
    return principal;
  }
}
