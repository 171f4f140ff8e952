import type { Organization, PersonalAccessToken } from '../../../domain/entities.js';
import { type TokenStatus, tokenStatus } from '../../../services/tokens.js';
import { scopesInWords } from './scope-groups.js';

/** A token as the pages show it: status at this moment, organization and scopes in words. */
export interface TokenView {
  token: PersonalAccessToken;
  status: TokenStatus;
  organization: string;
  scopes: string;
  /** Active and ending within `expiringSoonDays`: the tokens Azure DevOps e-mails their owner about. */
  expiresSoon: boolean;
}

export const expiringSoonDays = 7;
const expiringSoonMs = expiringSoonDays * 24 * 60 * 60 * 1000;

export const allOrganizationsLabel = 'All accessible organizations';

export function tokenView(token: PersonalAccessToken, now: Date, organizations: readonly Organization[]): TokenView {
  const organization =
    token.organizationId === null
      ? allOrganizationsLabel
      : (organizations.find((candidate) => candidate.id === token.organizationId)?.name ?? 'An organization you left');
  const status = tokenStatus(token, now);
  const expiresSoon = status === 'active' && Date.parse(token.validTo) - now.getTime() <= expiringSoonMs;
  return { token, status, organization, scopes: scopesInWords(token.scopes), expiresSoon };
}

export const statusLabels: Record<TokenStatus, string> = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };
