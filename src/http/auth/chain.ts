import type { FastifyRequest } from 'fastify';
import type { Authenticator, AuthOutcome, AuthTarget } from './types.js';

/** Answers whether a user belongs to an organization (cached by the caller). */
export interface MembershipCheck {
  isMember(organizationId: string, userId: string): Promise<boolean>;
}

/**
 * Asks each authenticator in order; the first that claims the request decides. Whatever the credential,
 * a principal is accepted under an organization only while its user is a member of it.
 */
export class AuthChain {
  constructor(
    private readonly authenticators: readonly Authenticator[],
    private readonly membership: MembershipCheck,
  ) {}

  async authenticate(request: FastifyRequest, target: AuthTarget = {}): Promise<AuthOutcome> {
    for (const authenticator of this.authenticators) {
      const outcome = await authenticator.authenticate(request, target);
      if (outcome.kind !== 'none') {
        if (outcome.kind === 'principal' && target.accepts && !target.accepts.includes(outcome.principal.credential)) {
          return {
            kind: 'failure',
            failure: {
              reason: 'credentialNotAccepted',
              message: `This API accepts only ${target.accepts.map(describeKind).join(' or ')}; ${describeKind(outcome.principal.credential)} cannot be used here.`,
            },
          };
        }
        if (outcome.kind === 'principal' && target.organization) {
          const { user } = outcome.principal;
          if (!(await this.membership.isMember(target.organization.id, user.id))) {
            return {
              kind: 'failure',
              failure: {
                reason: 'notMember',
                message: `TF400813: The user '${user.username}' is not authorized to access the organization '${target.organization.name}'.`,
              },
            };
          }
        }
        return outcome;
      }
    }
    return { kind: 'none' };
  }
}

function describeKind(kind: string): string {
  switch (kind) {
    case 'pat':
      return 'personal access tokens';
    case 'oauth':
      return 'OAuth access tokens (Authorization: Bearer)';
    case 'session':
      return 'a signed-in browser session';
    default:
      return 'user name and password';
  }
}
