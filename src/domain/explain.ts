import { type AccessTarget, type AuthorizationStep, authorizationSteps, authorize, type RefusalReason } from './authorization.js';
import type { PersonalAccessToken, User } from './entities.js';
import { tokenStatus } from './pat-rules.js';
import type { Principal } from './principal.js';
import { effectiveScopes } from './scopes.js';

/** Whether one of the caller's tokens would be let through, and if not, the refusal it would get. */
export interface TokenVerdict {
  authorizationId: string;
  displayName: string;
  passes: boolean;
  reason: RefusalReason | null;
  message: string | null;
}

/**
 * Runs the same authorization steps a request would meet for each of a user's tokens, so the answer cannot drift
 * from what the server enforces. Expired and revoked tokens are listed as refused, as identification would refuse them.
 */
export function tokenVerdicts(
  user: User,
  memberOf: ReadonlySet<string>,
  tokens: readonly PersonalAccessToken[],
  target: AccessTarget,
  now: Date,
  steps: readonly AuthorizationStep[] = authorizationSteps,
): TokenVerdict[] {
  return tokens.map((token) => {
    const named = { authorizationId: token.id, displayName: token.displayName };
    const status = tokenStatus(token, now);
    if (status !== 'active') {
      return { ...named, passes: false, reason: status, message: `The token is ${status}.` };
    }
    const principal: Principal = {
      user,
      credential: 'pat',
      scopes: effectiveScopes(token.scopes),
      authorizationId: token.id,
      organizationId: token.organizationId,
      memberOf,
      expiresAt: token.validTo,
    };
    const refusal = authorize(principal, target, steps);
    return refusal
      ? { ...named, passes: false, reason: refusal.reason, message: refusal.message }
      : { ...named, passes: true, reason: null, message: null };
  });
}
