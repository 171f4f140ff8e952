import type { Organization } from '../../../domain/entities.js';
import { CsrfField, ErrorMessage } from '../forms.js';
import { Layout } from '../layout.js';
import type { ExpiryOptions } from '../token-expiry.js';
import { TokenBreadcrumb } from './token-breadcrumb.js';
import { TokenFields, type TokenFormValues } from './token-form.js';
import { tokensPath } from './token-paths.js';

export const tokenFormScripts = ['scope-filter.js'] as const;

export interface NewTokenPageProps {
  organization: Organization;
  organizations: readonly Organization[];
  expiry: ExpiryOptions;
  values: TokenFormValues;
  error?: string | undefined;
}

export function NewTokenPage({ organization, organizations, expiry, values, error }: NewTokenPageProps) {
  return (
    <Layout title="New personal access token" scripts={tokenFormScripts}>
      <TokenBreadcrumb organization={organization} current="New token" />
      <h1>Create a new personal access token</h1>
      <ErrorMessage message={error} />
      <form method="post" action={`${tokensPath(organization)}/new`} class="card token-form">
        <CsrfField />
        <TokenFields values={values} organizations={organizations} expiry={expiry} />
        <div class="form-actions">
          <button type="submit" class="button primary">
            Create
          </button>
          <a href={tokensPath(organization)}>Cancel</a>
        </div>
      </form>
    </Layout>
  );
}
