import type { FastifyRequest } from 'fastify';
import { parseAuthorization } from './authorization-header.js';
import type { Authenticator, AuthOutcome } from './types.js';

/** Asks each authenticator in order; the first that claims the request identifies it. */
export class AuthChain {
  constructor(private readonly authenticators: readonly Authenticator[]) {}

  async authenticate(request: FastifyRequest): Promise<AuthOutcome> {
    const credentials = parseAuthorization(request.headers.authorization);
    for (const authenticator of this.authenticators) {
      const outcome = await authenticator.authenticate(credentials, request);
      if (outcome.kind !== 'none') return outcome;
    }
    return { kind: 'none' };
  }
}
