import { CheckboxField, CsrfField, ErrorMessage, TextAreaField, TextField } from '../forms.js';
import { Layout } from '../layout.js';
import { AppsNav } from './apps-nav.js';
import { ScopeCheckboxes } from './scope-checkboxes.js';

export interface NewAppValues {
  name: string;
  company: string;
  website: string;
  description: string;
  /** One callback URL per line, as typed. */
  callbacks: string;
  scopes: string[];
  isPublic: boolean;
}

export const emptyNewApp: NewAppValues = {
  name: '',
  company: '',
  website: '',
  description: '',
  callbacks: '',
  scopes: [],
  isPublic: false,
};

export function AppRegisterPage({ values, error }: { values: NewAppValues; error?: string | undefined }) {
  return (
    <Layout title="Register an app">
      <h1>Register an app</h1>
      <AppsNav current="Register an app" />
      <ErrorMessage message={error} />
      <form method="post" action="/app/register" class="card app-form">
        <CsrfField />
        <TextField
          label="Application name"
          name="name"
          value={values.name}
          required
          autocomplete="off"
          hint="Shown to users on the consent page."
        />
        <TextField label="Company name" name="company" value={values.company} autocomplete="organization" hint="Optional." />
        <TextField
          label="Application website"
          name="website"
          value={values.website}
          autocomplete="url"
          hint="Optional: an http or https URL."
        />
        <TextAreaField
          label="Description"
          name="description"
          value={values.description}
          hint="Optional: what the app does with the access it asks for."
        />
        <TextAreaField
          label="Authorization callback URLs"
          name="callbacks"
          value={values.callbacks}
          required
          rows={3}
          hint="One per line, compared exactly. https, or http only on 127.0.0.1, ::1 and localhost; no fragment."
        />
        <ScopeCheckboxes legend="Authorized scopes" selected={values.scopes} />
        <CheckboxField
          label="Public client: a native or browser app that cannot keep a secret (PKCE, no client secret)"
          name="isPublic"
          checked={values.isPublic}
        />
        <button type="submit" class="button primary">
          Create application
        </button>
      </form>
    </Layout>
  );
}
