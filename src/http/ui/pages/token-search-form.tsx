import { maxSearchLength, type TokenListQuery, tokenSortLabels, tokenSorts } from './token-list-query.js';

export interface TokenSearchFormProps {
  /** The list page the form reloads. */
  action: string;
  query: TokenListQuery;
  /** Other parts of the list's URL the search keeps (the status filter of the user's own list). */
  keep?: Record<string, string>;
}

/** A plain GET form: the search and order live in the URL, so a list can be bookmarked and works without script. */
export function TokenSearchForm({ action, query, keep = {} }: TokenSearchFormProps) {
  return (
    <form method="get" action={action} class="list-search" aria-label="Search tokens">
      {Object.entries(keep).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <div class="field">
        <label for="token-search">Search by name</label>
        <input id="token-search" type="search" name="q" value={query.search} maxLength={maxSearchLength} />
      </div>
      <div class="field">
        <label for="token-sort">Sort by</label>
        <select id="token-sort" name="sort">
          {tokenSorts.map((each) => (
            <option key={each} value={each} selected={each === query.sort}>
              {tokenSortLabels[each]}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="button">
        Show
      </button>
    </form>
  );
}
