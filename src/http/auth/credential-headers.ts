import type { FastifyReply } from 'fastify';
import type { Principal } from '../../domain/principal.js';
import { expiryWarningDays } from '../../domain/token-usage.js';

export const expiresAtHeader = 'X-Lapis-Token-Expires-At';
export const expiryWarningHeader = 'X-Lapis-Token-Expiry-Warning';
/** Names the organization token policy a PAT breaks in warn mode. */
export const policyWarningHeader = 'X-Lapis-Policy-Warning';

function credentialNoun(principal: Principal): string {
  return principal.credential === 'oauth' ? 'OAuth access token' : 'personal access token';
}

/**
 * Tells a script when the credential it used stops working, so its logs warn before the day comes:
 * `X-Lapis-Token-Expires-At` always, and within the warning window `X-Lapis-Token-Expiry-Warning`, whose value
 * starts with the whole days left (`3 days left: ...`, 0 for less than a day) for scripts to read.
 */
export function setCredentialHeaders(reply: FastifyReply, principal: Principal, now: Date, warningDays: number): void {
  const expiresAt = principal.expiresAt;
  if (!expiresAt) return;
  reply.header(expiresAtHeader, expiresAt);
  const daysLeft = expiryWarningDays(expiresAt, now, warningDays);
  if (daysLeft === undefined) return;
  const unit = daysLeft === 1 ? 'day' : 'days';
  reply.header(expiryWarningHeader, `${daysLeft} ${unit} left: this ${credentialNoun(principal)} expires at ${expiresAt}`);
}
