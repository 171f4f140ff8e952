import type { FastifyReply } from 'fastify';
import type { Principal } from '../../domain/principal.js';
import { expiryWarningDays } from '../../domain/token-usage.js';

export const expiresAtHeader = 'X-Lapis-Token-Expires-At';
export const expiryWarningHeader = 'X-Lapis-Token-Expiry-Warning';
/** Names the organization token policy a PAT breaks in warn mode. */
export const policyWarningHeader = 'X-Lapis-Policy-Warning';

// Fastify lowercases every name it is given; names already lowercase cost it no new string per answer.
const expiresAtName = expiresAtHeader.toLowerCase();
const expiryWarningName = expiryWarningHeader.toLowerCase();

function credentialNoun(principal: Principal): string {
  return principal.credential === 'oauth' ? 'OAuth access token' : 'personal access token';
}

/** What the headers say for one principal, worked out once and again only when the whole days left change. */
interface ExpiryHeaders {
  expiresAtMs: number;
  daysLeft: number | undefined;
  warning: string | undefined;
}

/**
 * PAT principals are built once per cached token lookup (basic-pat.ts), so this holds one entry per token in use;
 * other credentials' principals are built per request and would only churn it.
 */
const expiryHeaders = new WeakMap<Principal, ExpiryHeaders>();

/**
 * Tells a script when the credential it used stops working, so its logs warn before the day comes:
 * `X-Lapis-Token-Expires-At` always, and within the warning window `X-Lapis-Token-Expiry-Warning`, whose value
 * starts with the whole days left (`3 days left: ...`, 0 for less than a day) for scripts to read.
 */
export function setCredentialHeaders(reply: FastifyReply, principal: Principal, now: Date, warningDays: number): void {
  const expiresAt = principal.expiresAt;
  if (!expiresAt) return;
  reply.header(expiresAtName, expiresAt);
  let known = expiryHeaders.get(principal);
  if (!known) {
    known = { expiresAtMs: Date.parse(expiresAt), daysLeft: undefined, warning: undefined };
    if (principal.credential === 'pat') expiryHeaders.set(principal, known);
  }
  const daysLeft = expiryWarningDays(known.expiresAtMs, now, warningDays);
  if (daysLeft === undefined) return;
  if (known.warning === undefined || known.daysLeft !== daysLeft) {
    const unit = daysLeft === 1 ? 'day' : 'days';
    known.daysLeft = daysLeft;
    known.warning = `${daysLeft} ${unit} left: this ${credentialNoun(principal)} expires at ${expiresAt}`;
  }
  reply.header(expiryWarningName, known.warning);
}
