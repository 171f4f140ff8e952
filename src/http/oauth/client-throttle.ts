import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../../domain/oauth.js';
import type { FailureThrottle } from '../../services/failure-throttle.js';

/**
 * Failed client authentications at `/oauth2/token` per client address; the token service counts them per app.
 * Past the limit the address is refused with 429 and Retry-After before any secret is checked.
 */
export class ClientAddressThrottle {
  constructor(private readonly throttle: FailureThrottle) {}

  async check(request: FastifyRequest): Promise<void> {
    const verdict = await this.throttle.checkAcrossInstances(request.clientAddress);
    if (verdict.blocked) {
      throw new OAuthError(
        'invalid_client',
        `Too many failed client authentications from this address. Try again in ${verdict.retryAfterSeconds} seconds.`,
        verdict.retryAfterSeconds,
      );
    }
  }

  /** Counts a failed client authentication; other refusals and throttle answers leave the count alone. */
  async record(request: FastifyRequest, error: unknown): Promise<void> {
    if (error instanceof OAuthError && error.code === 'invalid_client' && error.retryAfterSeconds === undefined) {
      await this.throttle.recordFailure(request.clientAddress);
    }
  }
}
