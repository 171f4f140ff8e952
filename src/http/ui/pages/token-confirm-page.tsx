import type { Organization } from '../../../domain/entities.js';
import type { TokenRotation } from '../../../domain/token-rotation.js';
import { CsrfField } from '../forms.js';
import { Layout } from '../layout.js';
import { GraceChoice } from './grace-choice.js';
import { RotationNotice } from './rotation-notice.js';
import { TokenBreadcrumb } from './token-breadcrumb.js';
import { tokenPath, tokensPath } from './token-paths.js';
import { TokenSummary } from './token-summary.js';
import type { TokenView } from './token-view.js';

export type ConfirmedAction = 'regenerate' | 'revoke';

const texts: Record<ConfirmedAction, { title: string; explain: string; button: string }> = {
  regenerate: {
    title: 'Regenerate token',
    explain:
      'A new secret replaces this token, keeping its name, organization, scopes, restrictions and lifetime. Update the tools that use the current secret before it stops working.',
    button: 'Regenerate token',
  },
  revoke: {
    title: 'Revoke token',
    explain: 'Tools that use this token are refused at once. This cannot be undone.',
    button: 'Revoke token',
  },
};

/** The explicit step before regenerating or revoking: a page with one POST form, so it needs no script. */
export function TokenConfirmPage({
  organization,
  view,
  action,
  rotation,
}: {
  organization: Organization;
  view: TokenView;
  action: ConfirmedAction;
  /** A rotated token cannot be regenerated again; it can still be revoked. */
  rotation?: TokenRotation | undefined;
}) {
  const text = texts[action];
  const refused = rotation !== undefined && action === 'regenerate';
  return (
    <Layout title={`${text.title} ${view.token.displayName}`}>
      <TokenBreadcrumb organization={organization} current={text.title} />
      <h1>
        {text.title} “{view.token.displayName}”?
      </h1>
      <p>{text.explain}</p>
      <RotationNotice organization={organization} rotation={rotation} />
      <TokenSummary view={view} />
      {refused ? (
        <p>
          <a href={tokensPath(organization)}>Back to personal access tokens</a>
        </p>
      ) : (
        <form method="post" action={tokenPath(organization, view.token.id, action)}>
          <CsrfField />
          {action === 'regenerate' && <GraceChoice />}
          <div class="form-actions">
            <button type="submit" class={`button ${action === 'revoke' ? 'danger' : 'primary'}`}>
              {text.button}
            </button>
            <a href={tokensPath(organization)}>Cancel</a>
          </div>
        </form>
      )}
    </Layout>
  );
}
