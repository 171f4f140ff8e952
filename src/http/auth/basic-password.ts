import type { FastifyRequest } from 'fastify';
import { effectiveScopes, fullAccessScope } from '../../domain/scopes.js';
import type { FailureThrottle } from '../../services/failure-throttle.js';
import { passwordMatches } from '../../services/passwords.js';
import type { UserService } from '../../services/users.js';
import { parseAuthorization } from './authorization-header.js';
import type { Authenticator, AuthOutcome } from './types.js';

const refused = {
  kind: 'failure',
  failure: { reason: 'invalid', message: 'TF400813: The user name or password is incorrect.' },
} as const satisfies AuthOutcome;

/**
 * Azure DevOps Server with IIS Basic Authentication turned on: IIS treats every Basic header as a
 * Windows user name and password, so a PAT sent over Basic is just a wrong password. Lapis checks
 * the user's own password (argon2id) instead, throttled per address and per user name.
 */
export class BasicPasswordAuthenticator implements Authenticator {
  readonly name = 'basic-password';
  private readonly fullAccess = effectiveScopes([fullAccessScope]);

  constructor(
    private readonly users: UserService,
    private readonly throttle: FailureThrottle,
  ) {}

  async authenticate(request: FastifyRequest): Promise<AuthOutcome> {
    const parsed = parseAuthorization(request);
    if (parsed.scheme === 'malformed' && /basic/i.test(request.headers.authorization ?? '')) {
      return { kind: 'failure', failure: { reason: 'malformed', message: parsed.reason } };
    }
    if (parsed.scheme !== 'basic') return { kind: 'none' };
    const userKey = `user:${parsed.user.toLowerCase()}`;
    for (const key of [request.ip, userKey]) {
      const verdict = this.throttle.check(key);
      if (verdict.blocked) {
        return {
          kind: 'failure',
          failure: {
            reason: 'throttled',
            message: 'Too many failed sign-in attempts. Try again later.',
            retryAfterSeconds: verdict.retryAfterSeconds,
          },
        };
      }
    }
    const user = await this.users.find(parsed.user);
    const valid = await passwordMatches(user?.passwordHash, parsed.password);
    if (!user || !valid || user.disabledAt) {
      this.throttle.recordFailure(request.ip);
      this.throttle.recordFailure(userKey);
      return refused;
    }
    return { kind: 'principal', principal: { user, credential: 'password', scopes: this.fullAccess, organizationId: null } };
  }
}
