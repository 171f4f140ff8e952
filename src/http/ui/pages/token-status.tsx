import { DateTime } from './date-time.js';
import { statusLabels, type TokenView } from './token-view.js';

/**
 * A token's status badge in the lists. A rotated token in its grace window still works, but only until its end: it
 * says so with a second badge and the minute it stops, which a day-precise expiry date would hide.
 */
export function TokenStatusBadges({ view }: { view: TokenView }) {
  const badge = <span class={`badge status-${view.status}`}>{statusLabels[view.status]}</span>;
  if (!view.rotatedUntil) return badge;
  // One element, so that the stacked layout of narrow screens keeps it in the value column.
  return (
    <div>
      {badge} <span class="badge warn">Rotated</span>
      <span class="rotated-until" data-rotated-until={view.rotatedUntil}>
        Stops working <DateTime value={view.rotatedUntil} minutes />
      </span>
    </div>
  );
}
