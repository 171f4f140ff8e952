import type { PersonalAccessToken } from './entities.js';
import { DomainError } from './errors.js';

/** The rules of a personal access token's life, shared by the token service, the verifier and the pages. */

export type TokenStatus = 'active' | 'expired' | 'revoked';

export interface TokenPolicy {
  maxLifetimeDays: number;
  defaultLifetimeDays: number;
}

export const dayMs = 86_400_000;

/** Revocation wins over expiry: a revoked token stays revoked whatever its end date. */
export function tokenStatus(token: PersonalAccessToken, now: Date): TokenStatus {
  if (token.revokedAt) return 'revoked';
  if (Date.parse(token.validTo) <= now.getTime()) return 'expired';
  return 'active';
}

/** A revoked token can be listed, never changed or regenerated. */
export function requireNotRevoked(token: PersonalAccessToken): void {
  if (token.revokedAt) {
    throw new DomainError(
      'tokenRevoked',
      'This token has been revoked; a revoked token cannot be changed or regenerated. Create a new one.',
    );
  }
}

/** The latest end of validity the policy allows for a token created or changed at `now`. */
export function latestValidTo(now: Date, policy: Pick<TokenPolicy, 'maxLifetimeDays'>): Date {
  return new Date(now.getTime() + policy.maxLifetimeDays * dayMs);
}

/** Refuses an end of validity that is not a date, not in the future, or beyond the policy's lifetime. */
export function checkValidTo(now: Date, end: Date, policy: Pick<TokenPolicy, 'maxLifetimeDays'>): Date {
  if (Number.isNaN(end.getTime())) throw new DomainError('invalidInput', 'The expiry date is not a valid date.');
  if (end.getTime() <= now.getTime()) throw new DomainError('invalidInput', 'The expiry date must be in the future.');
  // A minute of slack so "365 days" chosen in a form a moment ago still fits.
  if (end.getTime() > latestValidTo(now, policy).getTime() + 60_000) {
    throw new DomainError('invalidInput', `A token may be valid for at most ${policy.maxLifetimeDays} days.`);
  }
  return end;
}
