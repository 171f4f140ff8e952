import type { PersonalAccessToken } from '../../../domain/entities.js';

export type TokenSort = 'created' | 'expiry' | 'lastUsed';
export const tokenSorts: readonly TokenSort[] = ['created', 'expiry', 'lastUsed'];
export const tokenSortLabels: Record<TokenSort, string> = {
  created: 'Newest first',
  expiry: 'Expiry, soonest first',
  lastUsed: 'Last use, most recent first',
};

/** What the list's search form asks for; anything unknown in the query string falls back to the default. */
export interface TokenListQuery {
  /** Case-insensitive part of a token name; empty shows every token. */
  search: string;
  sort: TokenSort;
}

export const maxSearchLength = 256;

export function readTokenListQuery(query: { q?: unknown; sort?: unknown }): TokenListQuery {
  const search = typeof query.q === 'string' ? query.q.trim().slice(0, maxSearchLength) : '';
  const sort = tokenSorts.find((each) => each === query.sort) ?? 'created';
  return { search, sort };
}

const byTime = (value: string | null): number => (value === null ? Number.NEGATIVE_INFINITY : Date.parse(value));

type Listed = { token: Pick<PersonalAccessToken, 'displayName' | 'validTo' | 'lastUsedAt'> };

/** The rows whose token name contains the search text, in the chosen order (ties keep the newest first). */
export function applyTokenListQuery<Row extends Listed>(rows: readonly Row[], { search, sort }: TokenListQuery): Row[] {
  const needle = search.toLocaleLowerCase();
  const found = rows.filter((row) => row.token.displayName.toLocaleLowerCase().includes(needle));
  if (sort === 'expiry') return found.sort((a, b) => byTime(a.token.validTo) - byTime(b.token.validTo));
  // Never-used tokens come last.
  if (sort === 'lastUsed') return found.sort((a, b) => byTime(b.token.lastUsedAt) - byTime(a.token.lastUsedAt));
  return found;
}
