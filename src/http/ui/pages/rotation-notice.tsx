import type { Organization } from '../../../domain/entities.js';
import type { TokenRotation } from '../../../domain/token-rotation.js';
import { DateTime } from './date-time.js';
import { tokenPath } from './token-paths.js';

/** On a rotated token's pages: until when it works, and the successor to manage instead. */
export function RotationNotice({ organization, rotation }: { organization: Organization; rotation: TokenRotation | undefined }) {
  if (!rotation) return null;
  return (
    <div class="notice warning" data-rotated-until={rotation.graceEndsAt}>
      <p>
        This token was rotated: it works until <DateTime value={rotation.graceEndsAt} minutes />, then stops. It can no longer be
        changed or regenerated; manage <a href={tokenPath(organization, rotation.successorId, 'edit')}>its successor</a> instead.
      </p>
    </div>
  );
}
