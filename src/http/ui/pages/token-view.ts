import type { Organization, PersonalAccessToken } from '../../../domain/entities.js';
import { type TokenStatus, tokenStatus } from '../../../services/tokens.js';
import { scopesInWords } from './scope-groups.js';

/** A token as the pages show it: status at this moment, organization and scopes in words. */
export interface TokenView {
  token: PersonalAccessToken;
  status: TokenStatus;
  organization: string;
  scopes: string;
}

export const allOrganizationsLabel = 'All accessible organizations';

export function tokenView(token: PersonalAccessToken, now: Date, organizations: readonly Organization[]): TokenView {
  const organization =
    token.organizationId === null
      ? allOrganizationsLabel
      : (organizations.find((candidate) => candidate.id === token.organizationId)?.name ?? 'An organization you left');
  return { token, status: tokenStatus(token, now), organization, scopes: scopesInWords(token.scopes) };
}

export const statusLabels: Record<TokenStatus, string> = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };
