import type { OAuthApp } from '../../../domain/oauth.js';
import { CsrfField, ErrorMessage, TextAreaField } from '../forms.js';
import { Layout } from '../layout.js';
import { AppsNav, appPath } from './apps-nav.js';
import { ScopeCheckboxes } from './scope-checkboxes.js';

export interface AppEditValues {
  /** One callback URL per line, as typed. */
  callbacks: string;
  scopes: string[];
}

export function appEditValues(app: OAuthApp): AppEditValues {
  return { callbacks: app.callbackUrls.join('\n'), scopes: [...app.scopes] };
}

export function AppEditPage({ app, values, error }: { app: OAuthApp; values: AppEditValues; error?: string | undefined }) {
  return (
    <Layout title={`Edit ${app.name}`}>
      <h1>Edit {app.name}</h1>
      <AppsNav />
      <ErrorMessage message={error} />
      <form method="post" action={appPath(app.id, 'edit')} class="card app-form">
        <CsrfField />
        <TextAreaField
          label="Authorization callback URLs"
          name="callbacks"
          value={values.callbacks}
          required
          rows={3}
          hint="One per line, compared exactly. https, or http only on 127.0.0.1, ::1 and localhost; no fragment."
        />
        <ScopeCheckboxes legend="Authorized scopes" selected={values.scopes} />
        <p class="hint">Users who authorized a scope you remove lose that authorization and are asked again.</p>
        <p class="form-actions">
          <button type="submit" class="button primary">
            Save changes
          </button>
          <a href={appPath(app.id)}>Cancel</a>
        </p>
      </form>
    </Layout>
  );
}
