import type { FastifyRequest } from 'fastify';
import type { Authenticator, AuthOutcome, AuthTarget } from './types.js';

/** Asks each authenticator in order; the first that claims the request decides. */
export class AuthChain {
  constructor(private readonly authenticators: readonly Authenticator[]) {}

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
