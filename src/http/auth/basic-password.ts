import type { FastifyRequest } from 'fastify';
import { effectiveScopes, fullAccessScope } from '../../domain/scopes.js';
import type { MembershipCache } from '../../services/membership-cache.js';
import type { SignInService } from '../../services/sign-in.js';
import type { ParsedAuthorization } from './authorization-header.js';
import type { Authenticator, AuthOutcome } from './types.js';

/**
 * Azure DevOps Server with IIS Basic Authentication turned on: IIS treats every Basic header as a
 * Windows user name and password, so a PAT sent over Basic is just a wrong password. Lapis checks
 * the user's own password through the sign-in service (argon2id, throttled per address and user name).
 */
export class BasicPasswordAuthenticator implements Authenticator {
  readonly name = 'basic-password';
  private readonly fullAccess = effectiveScopes([fullAccessScope]);

  constructor(
    private readonly signIn: SignInService,
    private readonly membership: MembershipCache,
  ) {}

  async authenticate(parsed: ParsedAuthorization, request: FastifyRequest): Promise<AuthOutcome> {
    if (parsed.scheme === 'malformed' && parsed.claimedBy === 'basic') {
      return { kind: 'failure', failure: { reason: 'malformed', message: parsed.reason, credential: 'password' } };
    }
    if (parsed.scheme !== 'basic') return { kind: 'none' };
    const result = await this.signIn.signIn({
      username: parsed.user,
      password: parsed.password,
      clientAddress: request.clientAddress,
    });
    if (result.outcome === 'throttled') {
      return {
        kind: 'failure',
        failure: {
          reason: 'throttled',
          message: 'Too many failed sign-in attempts. Try again later.',
          retryAfterSeconds: result.retryAfterSeconds,
          credential: 'password',
        },
      };
    }
    if (result.outcome === 'refused') {
      return {
        kind: 'failure',
        failure: { reason: 'invalid', message: 'TF400813: The user name or password is incorrect.', credential: 'password' },
      };
    }
    return {
      kind: 'principal',
      principal: {
        user: result.user,
        credential: 'password',
        scopes: this.fullAccess,
        organizationId: null,
        memberOf: await this.membership.organizationsOf(result.user.id),
      },
    };
  }
}
