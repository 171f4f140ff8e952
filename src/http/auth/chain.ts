import type { FastifyRequest } from 'fastify';
import type { Authenticator, AuthOutcome } from './types.js';

/** Asks each authenticator in order; the first that claims the request identifies it. */
export class AuthChain {
  constructor(private readonly authenticators: readonly Authenticator[]) {}

  async authenticate(request: FastifyRequest): Promise<AuthOutcome> {
    for (const authenticator of this.authenticators) {
      const outcome = await authenticator.authenticate(request);
      if (outcome.kind !== 'none') return outcome;
    }
    return { kind: 'none' };
  }
}
