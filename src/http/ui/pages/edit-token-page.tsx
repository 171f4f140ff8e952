import type { Organization } from '../../../domain/entities.js';
import type { TokenRotation } from '../../../domain/token-rotation.js';
import type { TokenUse } from '../../../domain/token-usage.js';
import { CsrfField, ErrorMessage } from '../forms.js';
import { Layout } from '../layout.js';
import type { ExpiryOptions } from '../token-expiry.js';
import { tokenFormScripts } from './new-token-page.js';
import { RotationNotice } from './rotation-notice.js';
import { TokenBreadcrumb } from './token-breadcrumb.js';
import { TokenFields, type TokenFormValues } from './token-form.js';
import { tokenPath, tokensPath } from './token-paths.js';
import type { TokenView } from './token-view.js';
import { UsageTrail } from './usage-trail.js';

export interface EditTokenPageProps {
  organization: Organization;
  organizations: readonly Organization[];
  expiry: ExpiryOptions;
  view: TokenView;
  values: TokenFormValues;
  /** The distinct clients the token was used from, most recent first. */
  usage: readonly TokenUse[];
  /** Set when the token was rotated and winds down to the end of its grace window. */
  rotation?: TokenRotation | undefined;
  error?: string | undefined;
}

export function EditTokenPage({ organization, organizations, expiry, view, values, usage, rotation, error }: EditTokenPageProps) {
  const { token } = view;
  return (
    <Layout title={`Edit token ${token.displayName}`} scripts={tokenFormScripts}>
      <TokenBreadcrumb organization={organization} current="Edit token" />
      <h1>Edit token “{token.displayName}”</h1>
      {view.status === 'expired' && !rotation && (
        <p class="notice">This token has expired. Choose a new expiry to use it again.</p>
      )}
      <RotationNotice organization={organization} rotation={rotation} />
      <ErrorMessage message={error} />
      <form method="post" action={tokenPath(organization, token.id, 'edit')} class="card token-form">
        <CsrfField />
        <TokenFields values={values} organizations={organizations} expiry={expiry} currentValidTo={token.validTo} />
        <div class="form-actions">
          <button type="submit" class="button primary">
            Save
          </button>
          <a href={tokensPath(organization)}>Cancel</a>
        </div>
      </form>
      <UsageTrail uses={usage} />
      <section class="card" aria-labelledby="token-actions-heading">
        <h2 id="token-actions-heading">Regenerate or revoke</h2>
        <p>
          Regenerating gives the token a new secret with the same settings and stops the current one. Revoking stops it for good.
        </p>
        <div class="form-actions">
          <a class="button secondary" href={tokenPath(organization, token.id, 'regenerate')}>
            Regenerate
          </a>
          <a class="button danger" href={tokenPath(organization, token.id, 'revoke')}>
            Revoke
          </a>
        </div>
      </section>
    </Layout>
  );
}
