import { DateTime } from './date-time.js';
import { statusLabels, type TokenView } from './token-view.js';

/** The facts of one token, for the pages that act on it. */
export function TokenSummary({ view }: { view: TokenView }) {
  return (
    <dl class="summary">
      <dt>Name</dt>
      <dd>{view.token.displayName}</dd>
      <dt>Status</dt>
      <dd>{statusLabels[view.status]}</dd>
      <dt>Organization</dt>
      <dd>{view.organization}</dd>
      <dt>Scopes</dt>
      <dd>{view.scopes}</dd>
      <dt>Restrictions</dt>
      <dd>{view.restrictions.length > 0 ? view.restrictions.join('; ') : 'None'}</dd>
      <dt>Expires</dt>
      <dd>
        <DateTime value={view.token.validTo} />
      </dd>
    </dl>
  );
}
