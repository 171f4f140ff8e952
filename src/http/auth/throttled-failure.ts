import type { FastifyRequest } from 'fastify';
import type { Refusal } from '../../domain/authorization.js';
import type { FailureThrottle } from '../../services/failure-throttle.js';
import type { AuthOutcome } from './types.js';

/** Counts a refused token against the client address; past the limit the refusal becomes a 429. Valid tokens never count. */
export async function throttledFailure(
  throttle: FailureThrottle,
  request: FastifyRequest,
  failure: Refusal,
): Promise<AuthOutcome> {
  const verdict = await throttle.fail(request.clientAddress);
  if (verdict.blocked) {
    return {
      kind: 'failure',
      failure: {
        reason: 'throttled',
        message: 'Too many failed authentication attempts from this address. Try again later.',
        retryAfterSeconds: verdict.retryAfterSeconds,
        ...(failure.credential && { credential: failure.credential }),
      },
    };
  }
  return { kind: 'failure', failure };
}
