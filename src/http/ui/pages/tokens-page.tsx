import type { Organization } from '../../../domain/entities.js';
import type { TokenStatus } from '../../../services/tokens.js';
import { Layout } from '../layout.js';
import { DateTime } from './date-time.js';
import { organizationTokensPath } from './organization-tokens-page.js';
import { PolicyBanner, type PolicyWarning } from './policy-banner.js';
import { TokenBreadcrumb } from './token-breadcrumb.js';
import type { TokenListQuery } from './token-list-query.js';
import { tokenPath, tokensPath } from './token-paths.js';
import { TokenSearchForm } from './token-search-form.js';
import { TokenStatusBadges } from './token-status.js';
import { statusLabels, type TokenView } from './token-view.js';

export type TokenFilter = TokenStatus | 'all';
export const tokenFilters: readonly TokenFilter[] = ['active', 'expired', 'revoked', 'all'];

/** Outcomes announced after a redirect back to the list; only these fixed texts, never anything from the request. */
export const tokenNotices = {
  updated: 'The token was saved.',
  revoked: 'The token was revoked. Tools that use it are refused from now on.',
} as const;
export type TokenNotice = keyof typeof tokenNotices;

export interface TokensPageProps {
  organization: Organization;
  filter: TokenFilter;
  /** The user's tokens that pass the filter, newest first. */
  views: TokenView[];
  counts: Record<TokenFilter, number>;
  /** The search and order the views are already in. */
  query: TokenListQuery;
  notice?: TokenNotice | undefined;
  /** Tokens breaking an organization policy (policy-banner.tsx). */
  policyWarnings?: readonly PolicyWarning[] | undefined;
  /** The user administers the organization, so the page links to every member's tokens. */
  administers?: boolean;
}

const filterLabels: Record<TokenFilter, string> = { ...statusLabels, all: 'All' };

function listHref(organization: Organization, filter: TokenFilter, query: TokenListQuery): string {
  const params = new URLSearchParams({ status: filter });
  if (query.search) params.set('q', query.search);
  if (query.sort !== 'created') params.set('sort', query.sort);
  return `${tokensPath(organization)}?${params.toString()}`;
}

function FilterNav({
  organization,
  filter,
  counts,
  query,
}: Pick<TokensPageProps, 'organization' | 'filter' | 'counts' | 'query'>) {
  return (
    <nav aria-label="Show tokens" class="tabs">
      {tokenFilters.map((each) => (
        <a key={each} href={listHref(organization, each, query)} aria-current={each === filter ? 'page' : undefined}>
          {filterLabels[each]} <span class="count">({counts[each]})</span>
        </a>
      ))}
    </nav>
  );
}

function TokenRow({ organization, view }: { organization: Organization; view: TokenView }) {
  const { token, status } = view;
  return (
    <tr>
      <th scope="row" data-label="Name">
        {token.displayName}
      </th>
      <td data-label="Status">
        <TokenStatusBadges view={view} />
      </td>
      <td data-label="Organization">{view.organization}</td>
      <td data-label="Scopes" class="scopes">
        {view.scopes}
        {view.restrictions.length > 0 && <span class="restrictions">Restricted: {view.restrictions.join('; ')}</span>}
      </td>
      <td data-label="Created">
        <DateTime value={token.createdAt} />
      </td>
      <td data-label={status === 'expired' ? 'Expired' : 'Expires'}>
        <DateTime value={token.validTo} />
        {view.expiresSoon && (
          <>
            {' '}
            <span class="badge warn">Expires soon</span>
          </>
        )}
      </td>
      <td data-label="Last used">{token.lastUsedAt ? <DateTime value={token.lastUsedAt} /> : 'Never'}</td>
      <td class="actions">
        {status !== 'revoked' && (
          <>
            <a href={tokenPath(organization, token.id, 'edit')}>
              Edit<span class="visually-hidden"> {token.displayName}</span>
            </a>
            <a href={tokenPath(organization, token.id, 'revoke')} class="danger-link">
              Revoke<span class="visually-hidden"> {token.displayName}</span>
            </a>
          </>
        )}
      </td>
    </tr>
  );
}

function emptyText(filter: TokenFilter, query: TokenListQuery): string {
  if (query.search) return `No ${filter === 'all' ? '' : `${filter} `}token has a name containing “${query.search}”.`;
  return filter === 'all' ? 'You have no tokens yet.' : `You have no ${filter} tokens.`;
}

export function TokensPage({
  organization,
  filter,
  views,
  counts,
  query,
  notice,
  policyWarnings = [],
  administers = false,
}: TokensPageProps) {
  return (
    <Layout title="Personal access tokens">
      <TokenBreadcrumb organization={organization} />
      <div class="page-heading">
        <h1>Personal access tokens</h1>
        <a class="button primary" href={`${tokensPath(organization)}/new`}>
          New token
        </a>
      </div>
      <p class="muted">
        Tools use these tokens to call the Azure DevOps REST API as you, with the scopes you grant. A token is shown once, when it
        is created.
      </p>
      {administers && (
        <p>
          <a href={organizationTokensPath(organization)}>Every member's tokens in {organization.name}</a>
        </p>
      )}
      {notice && (
        <div class="notice" role="status">
          <p>{tokenNotices[notice]}</p>
        </div>
      )}
      <PolicyBanner warnings={policyWarnings} />
      <FilterNav organization={organization} filter={filter} counts={counts} query={query} />
      <TokenSearchForm action={tokensPath(organization)} query={query} keep={{ status: filter }} />
      {views.length === 0 ? (
        <p class="card">{emptyText(filter, query)}</p>
      ) : (
        <div class="table-wrap">
          <table class="stacking">
            <caption>{filter === 'all' ? 'All tokens' : `${filterLabels[filter]} tokens`}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Organization</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {views.map((view) => (
                <TokenRow key={view.token.id} organization={organization} view={view} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
