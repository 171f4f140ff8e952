import type { PersonalAccessToken } from './entities.js';
import { DomainError } from './errors.js';
import { type TokenStatus, tokenStatus } from './pat-rules.js';

/** How the PAT lifecycle API lists a user's tokens: Azure DevOps' filter, sort and paging options. */

export const patDisplayFilters = ['active', 'revoked', 'expired', 'all'] as const;
export type PatDisplayFilter = (typeof patDisplayFilters)[number];

export const patSortOptions = ['displayName', 'displayDate', 'status'] as const;
export type PatSortOption = (typeof patSortOptions)[number];

export interface PatListQuery {
  filter: PatDisplayFilter;
  sortBy: PatSortOption;
  ascending: boolean;
  /** Row to start at: 0 for the first page. */
  start: number;
  top: number;
}

export const defaultPatPageSize = 20;
export const maxPatPageSize = 100;

/** Azure DevOps' continuation token: `base64("{nextRow}-patapitoken")`, with "" once the list is done. */
const continuationSuffix = '-patapitoken';

export function encodePatContinuation(nextRow: number): string {
  return btoa(`${nextRow}${continuationSuffix}`);
}

/** The row a continuation token points at; a token this server did not write is refused. */
export function decodePatContinuation(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(token) && token.length % 4 === 0 ? atob(token) : '';
  const match = /^(\d{1,9})-patapitoken$/.exec(text);
  if (!match) throw new DomainError('invalidInput', 'The continuationToken is not one this server returned.');
  return Number(match[1]);
}

/** Lower ranks list first in ascending order: working tokens before finished ones. */
const statusRank: Record<TokenStatus, number> = { active: 0, expired: 1, revoked: 2 };

function compare(sortBy: PatSortOption, now: Date) {
  const byName = (a: PersonalAccessToken, b: PersonalAccessToken) =>
    a.displayName.localeCompare(b.displayName, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id);
  if (sortBy === 'displayName') return byName;
  // The date the token list shows is the end of validity.
  if (sortBy === 'displayDate') {
    return (a: PersonalAccessToken, b: PersonalAccessToken) => Date.parse(a.validTo) - Date.parse(b.validTo) || byName(a, b);
  }
  return (a: PersonalAccessToken, b: PersonalAccessToken) =>
    statusRank[tokenStatus(a, now)] - statusRank[tokenStatus(b, now)] || byName(a, b);
}

export interface PatPage {
  tokens: PersonalAccessToken[];
  /** The next page's continuation token, "" on the last page. */
  continuationToken: string;
}

/** One page of tokens: filtered by status at `now`, sorted with a stable tie-break, cut at `start` and `top`. */
export function pagePats(tokens: readonly PersonalAccessToken[], query: PatListQuery, now: Date): PatPage {
  const order = compare(query.sortBy, now);
  const listed = tokens
    .filter((token) => query.filter === 'all' || tokenStatus(token, now) === query.filter)
    .sort((a, b) => (query.ascending ? order(a, b) : order(b, a)));
  const end = query.start + query.top;
  return {
    tokens: listed.slice(query.start, end),
    continuationToken: end < listed.length ? encodePatContinuation(end) : '',
  };
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined, fallback: T, what: string): T {
  if (value === undefined || value === '') return fallback;
  const found = values.find((known) => known.toLowerCase() === value.toLowerCase());
  if (!found) throw new DomainError('invalidInput', `${what} must be one of ${values.join(', ')}, not "${value}".`);
  return found;
}

export interface PatListParameters {
  displayFilterOption?: string | undefined;
  sortByOption?: string | undefined;
  isSortAscending?: boolean | undefined;
  continuationToken?: string | undefined;
  top?: number | undefined;
}

/** The list query from the API's parameters, with Azure DevOps' defaults (active, by name, ascending, 20). */
export function patListQuery(parameters: PatListParameters): PatListQuery {
  const top = parameters.top ?? defaultPatPageSize;
  if (top < 1 || top > maxPatPageSize) {
    throw new DomainError('invalidInput', `$top must be between 1 and ${maxPatPageSize}, not ${top}.`);
  }
  return {
    filter: oneOf(patDisplayFilters, parameters.displayFilterOption, 'active', 'displayFilterOption'),
    sortBy: oneOf(patSortOptions, parameters.sortByOption, 'displayName', 'sortByOption'),
    ascending: parameters.isSortAscending ?? true,
    start: decodePatContinuation(parameters.continuationToken),
    top,
  };
}

/** Tokens grouped by owner, each owner's in the order given (Map.groupBy, which Node 20 lacks). */
export function tokensByOwner<T extends { userId: string }>(tokens: readonly T[]): Map<string, T[]> {
  const byOwner = new Map<string, T[]>();
  for (const token of tokens) {
    const owned = byOwner.get(token.userId);
    if (owned) owned.push(token);
    else byOwner.set(token.userId, [token]);
  }
  return byOwner;
}
