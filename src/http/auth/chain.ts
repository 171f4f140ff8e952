import type { FastifyRequest } from 'fastify';
import { type ParsedAuthorization, parseAuthorization } from './authorization-header.js';
import type { Authenticator, AuthOutcome } from './types.js';

const none: AuthOutcome = { kind: 'none' };

/** Asks each authenticator in order; the first that claims the request identifies it. */
export class AuthChain {
  constructor(private readonly authenticators: readonly Authenticator[]) {}

  /** A value when every authenticator asked answered from memory; a promise from the first one that did not. */
  authenticate(request: FastifyRequest, now: Date): AuthOutcome | Promise<AuthOutcome> {
    return this.from(0, parseAuthorization(request.headers.authorization), request, now);
  }

  private from(
    index: number,
    credentials: ParsedAuthorization,
    request: FastifyRequest,
    now: Date,
  ): AuthOutcome | Promise<AuthOutcome> {
    const authenticator = this.authenticators[index];
    if (!authenticator) return none;
    const outcome = authenticator.authenticate(credentials, request, now);
    if (outcome instanceof Promise) {
      return outcome.then((settled) => (settled.kind === 'none' ? this.from(index + 1, credentials, request, now) : settled));
    }
    return outcome.kind === 'none' ? this.from(index + 1, credentials, request, now) : outcome;
  }
}
