import { minimumPasswordLength } from '../../../domain/password-policy.js';
import { CsrfField, ErrorMessage, TextField } from '../forms.js';
import { Layout } from '../layout.js';
import { AccountNav, passwordPath } from './account-nav.js';

export interface ChangePasswordPageProps {
  error?: string | undefined;
  changed?: boolean;
}

export function ChangePasswordPage({ error, changed = false }: ChangePasswordPageProps) {
  return (
    <Layout title="Change password">
      <h1>Change password</h1>
      <AccountNav current="Change password" />
      {changed && (
        <div class="notice" role="status">
          <p>Your password was changed. Every other session of yours was signed out.</p>
        </div>
      )}
      <ErrorMessage message={error} />
      <form method="post" action={passwordPath} class="card">
        <CsrfField />
        <TextField label="Current password" name="currentPassword" type="password" required autocomplete="current-password" />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          required
          autocomplete="new-password"
          hint={`At least ${minimumPasswordLength} characters; a phrase of several words is easiest to remember. Common passwords are refused.`}
        />
        <TextField label="Repeat the new password" name="repeatPassword" type="password" required autocomplete="new-password" />
        <button type="submit" class="button primary">
          Change password
        </button>
      </form>
    </Layout>
  );
}
