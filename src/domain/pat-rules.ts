import type { PersonalAccessToken } from './entities.js';
import { DomainError } from './errors.js';
import { parseScopes } from './scopes.js';

/** The rules of a personal access token's life, shared by the token service, the verifier and the pages. */

export type TokenStatus = 'active' | 'expired' | 'revoked';

export interface TokenPolicy {
  maxLifetimeDays: number;
  defaultLifetimeDays: number;
}

export const dayMs = 86_400_000;

/**
 * Revocation wins over expiry: a revoked token stays revoked whatever its end date. `validToMs` is `validTo` already
 * parsed, for callers that judge the same token again and again (the verifier's cache).
 */
export function tokenStatus(token: PersonalAccessToken, now: Date, validToMs = Date.parse(token.validTo)): TokenStatus {
  if (token.revokedAt) return 'revoked';
  if (validToMs <= now.getTime()) return 'expired';
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

/**
 * Which field of a token a refused input was about, in the error's details: the lifecycle API answers each
 * with its own in-band error.
 */
export type TokenField = 'displayName' | 'scope' | 'validTo' | 'restrictions';

export function invalidTokenField(field: TokenField, message: string, required = false): DomainError {
  return new DomainError('invalidInput', message, { field, ...(required && { required }) });
}

/** Refuses an end of validity that is not a date, not in the future, or beyond the policy's lifetime. */
export function checkValidTo(now: Date, end: Date, policy: Pick<TokenPolicy, 'maxLifetimeDays'>): Date {
  if (Number.isNaN(end.getTime())) throw invalidTokenField('validTo', 'The expiry date is not a valid date.');
  if (end.getTime() <= now.getTime()) throw invalidTokenField('validTo', 'The expiry date must be in the future.');
  // A minute of slack so "365 days" chosen in a form a moment ago still fits.
  if (end.getTime() > latestValidTo(now, policy).getTime() + 60_000) {
    throw invalidTokenField('validTo', `A token may be valid for at most ${policy.maxLifetimeDays} days.`);
  }
  return end;
}

/** A token's name: trimmed, present, at most 256 printable characters. */
export function tokenDisplayName(value: string): string {
  const name = value.trim();
  if (name.length === 0) throw invalidTokenField('displayName', 'A token needs a name.', true);
  if (name.length > 256 || /\p{Cc}/u.test(name)) {
    throw invalidTokenField('displayName', 'A token name must be at most 256 printable characters.');
  }
  return name;
}

/** A token's scopes, parsed by the scope catalog; a refusal names the scope field. */
export function tokenScopes(value: string): string[] {
  try {
    return parseScopes(value);
  } catch (error) {
    if (error instanceof DomainError) throw invalidTokenField('scope', error.message);
    throw error;
  }
}
