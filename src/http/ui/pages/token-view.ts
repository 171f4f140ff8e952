import type { Organization, PersonalAccessToken } from '../../../domain/entities.js';
import { describeRestrictions } from '../../../domain/token-restrictions.js';
import type { TokenRotation } from '../../../domain/token-rotation.js';
import { type TokenStatus, tokenStatus } from '../../../services/tokens.js';
import { scopesInWords } from './scope-groups.js';

/** A token as the pages show it: status at this moment, organization and scopes in words. */
export interface TokenView {
  token: PersonalAccessToken;
  status: TokenStatus;
  organization: string;
  scopes: string;
  /** One phrase per restriction (`projects web`, `read-only`, `from 10.0.0.0/8`, `60/min`); empty when none. */
  restrictions: string[];
  /** Active and ending within `expiringSoonDays`: the tokens Azure DevOps e-mails their owner about. */
  expiresSoon: boolean;
  /** When a rotated token still in its grace window stops working; null for every other token. */
  rotatedUntil: string | null;
}

export const expiringSoonDays = 7;
const expiringSoonMs = expiringSoonDays * 24 * 60 * 60 * 1000;

export const allOrganizationsLabel = 'All accessible organizations';

export function tokenView(
  token: PersonalAccessToken,
  now: Date,
  organizations: readonly Organization[],
  projectNames: ReadonlyMap<string, string> = new Map(),
  inGrace: ReadonlyMap<string, TokenRotation> = new Map(),
): TokenView {
  const organization =
    token.organizationId === null
      ? allOrganizationsLabel
      : (organizations.find((candidate) => candidate.id === token.organizationId)?.name ?? 'An organization you left');
  const status = tokenStatus(token, now);
  const rotatedUntil = (status === 'active' && inGrace.get(token.id)?.graceEndsAt) || null;
  // A token in grace ends soon by design: the rotation badge says so, not the expiry warning.
  const expiresSoon = status === 'active' && !rotatedUntil && Date.parse(token.validTo) - now.getTime() <= expiringSoonMs;
  return {
    token,
    status,
    organization,
    scopes: scopesInWords(token.scopes),
    restrictions: describeRestrictions(token.restrictions, (id) => projectNames.get(id) ?? 'a deleted project'),
    expiresSoon,
    rotatedUntil,
  };
}

export const statusLabels: Record<TokenStatus, string> = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };
