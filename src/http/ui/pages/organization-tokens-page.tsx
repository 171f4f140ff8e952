import type { Organization } from '../../../domain/entities.js';
import type { MemberToken } from '../../../services/organization-tokens.js';
import { PostButton } from '../forms.js';
import { Layout } from '../layout.js';
import { DateTime } from './date-time.js';
import type { TokenListQuery } from './token-list-query.js';
import { TokenSearchForm } from './token-search-form.js';
import { TokenStatusBadges } from './token-status.js';
import type { TokenView } from './token-view.js';

/** The organization administrator's tokens page, beside the members' own `_usersSettings/tokens`. */
export function organizationTokensPath(organization: Pick<Organization, 'name'>): string {
  return `/${encodeURIComponent(organization.name)}/_settings/tokens`;
}

export const organizationTokenNotices = {
  revoked: 'The token was revoked. Tools that use it are refused from now on.',
} as const;
export type OrganizationTokenNotice = keyof typeof organizationTokenNotices;

export interface OrganizationTokenRow extends MemberToken {
  view: TokenView;
}

export interface OrganizationTokensPageProps {
  organization: Organization;
  /** The rows that match the search, already in its order. */
  rows: OrganizationTokenRow[];
  /** Whether the organization has any member token at all, whatever the search. */
  anyToken: boolean;
  query: TokenListQuery;
  notice?: OrganizationTokenNotice | undefined;
}

export function OrganizationTokensPage({ organization, rows, anyToken, query, notice }: OrganizationTokensPageProps) {
  return (
    <Layout title={`Personal access tokens in ${organization.name}`}>
      <h1>Personal access tokens in {organization.name}</h1>
      <p class="muted">
        Every member's tokens that work in this organization: those limited to it and those valid in all of the member's
        organizations. Revoking a token ends it everywhere.
      </p>
      {notice && (
        <div class="notice" role="status">
          <p>{organizationTokenNotices[notice]}</p>
        </div>
      )}
      <TokenSearchForm action={organizationTokensPath(organization)} query={query} />
      {rows.length === 0 ? (
        <p class="card">
          {anyToken
            ? `No member's token has a name containing “${query.search}”.`
            : 'No member has a token that works in this organization.'}
        </p>
      ) : (
        <div class="table-wrap">
          <table class="stacking">
            <caption>Members' tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Owner</th>
                <th scope="col">Status</th>
                <th scope="col">Scopes</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ user, token, view }) => (
                <tr key={token.id}>
                  <th scope="row" data-label="Name">
                    {token.displayName}
                  </th>
                  <td data-label="Owner">{user.username}</td>
                  <td data-label="Status">
                    <TokenStatusBadges view={view} />
                  </td>
                  <td data-label="Scopes" class="scopes">
                    {view.scopes}
                  </td>
                  <td data-label="Expires">
                    <DateTime value={token.validTo} />
                  </td>
                  <td data-label="Last used">{token.lastUsedAt ? <DateTime value={token.lastUsedAt} /> : 'Never'}</td>
                  <td class="actions">
                    {view.status !== 'revoked' && (
                      <PostButton
                        action={`${organizationTokensPath(organization)}/${encodeURIComponent(token.id)}/revoke`}
                        subject={`${token.displayName} of ${user.username}`}
                        variant="danger"
                      >
                        Revoke
                      </PostButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
