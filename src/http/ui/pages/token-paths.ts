import type { Organization } from '../../../domain/entities.js';

/** The personal access tokens page of an organization, at the path Azure DevOps uses. */
export function tokensPath(organization: Pick<Organization, 'name'>): string {
  return `/${encodeURIComponent(organization.name)}/_usersSettings/tokens`;
}

export type TokenAction = 'edit' | 'regenerate' | 'revoke';

export function tokenPath(organization: Pick<Organization, 'name'>, tokenId: string, action: TokenAction): string {
  return `${tokensPath(organization)}/${encodeURIComponent(tokenId)}/${action}`;
}
