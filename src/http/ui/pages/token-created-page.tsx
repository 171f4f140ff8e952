import type { Organization } from '../../../domain/entities.js';
import { Layout } from '../layout.js';
import { TokenBreadcrumb } from './token-breadcrumb.js';
import { tokensPath } from './token-paths.js';
import { TokenSummary } from './token-summary.js';
import type { TokenView } from './token-view.js';

export interface TokenCreatedPageProps {
  organization: Organization;
  view: TokenView;
  /** The token text: rendered into this one response and nowhere else. */
  text: string;
  regenerated: boolean;
  /** After a regenerate with a grace window: when the previous secret stops working. */
  graceEndsAt?: string | undefined;
}

export function TokenCreatedPage({ organization, view, text, regenerated, graceEndsAt }: TokenCreatedPageProps) {
  const heading = regenerated ? 'Token regenerated' : 'Token created';
  return (
    <Layout title={heading} scripts={['copy-token.js']}>
      <TokenBreadcrumb organization={organization} current={heading} />
      <h1>{heading}</h1>
      <div class="notice warning">
        <p>
          <strong>Copy the token now: it will not be shown again.</strong> Lapis keeps only a hash of it. If you lose it,
          regenerate it.
        </p>
      </div>
      <div class="card token-reveal">
        <label for="new-token" class="token-label">
          Personal access token “{view.token.displayName}”
        </label>
        <textarea id="new-token" class="token-text" readonly rows={2} spellcheck={false} autocomplete="off">
          {text}
        </textarea>
        <div class="copy-row">
          <button type="button" class="button secondary" data-copy-from="new-token" hidden>
            Copy token
          </button>
          <span class="hint" role="status" data-copy-status />
        </div>
        {regenerated && !graceEndsAt && <p class="hint">The previous secret of this token no longer works.</p>}
        {graceEndsAt && (
          <p class="hint" data-grace-ends={graceEndsAt}>
            The previous secret keeps working until{' '}
            <time dateTime={graceEndsAt}>{graceEndsAt.slice(0, 16).replace('T', ' ')} UTC</time>, then stops.
          </p>
        )}
      </div>
      <TokenSummary view={view} />
      <p>
        <a href={tokensPath(organization)}>Back to personal access tokens</a>
      </p>
    </Layout>
  );
}
