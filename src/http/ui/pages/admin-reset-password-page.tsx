import type { User } from '../../../domain/entities.js';
import { minimumPasswordLength } from '../../../domain/password-policy.js';
import { CsrfField, ErrorMessage, TextField } from '../forms.js';
import { Layout } from '../layout.js';
import { AdminNav } from './admin-nav.js';

export function resetPasswordPath(user: User): string {
  return `/_admin/users/${encodeURIComponent(user.username)}/password`;
}

export function AdminResetPasswordPage({ user, error }: { user: User; error?: string | undefined }) {
  return (
    <Layout title={`Reset password of ${user.username}`}>
      <h1>Reset the password of {user.username}</h1>
      <AdminNav current="Users" />
      <ErrorMessage message={error} />
      <form method="post" action={resetPasswordPath(user)} class="card">
        <CsrfField />
        <p>
          The new password works at once, and every browser signed in as <strong>{user.username}</strong> is signed out. Tell the
          user the new password in person, and ask them to change it.
        </p>
        <TextField
          label="New password"
          name="password"
          type="password"
          required
          autocomplete="new-password"
          hint={`At least ${minimumPasswordLength} characters and not a common password.`}
        />
        <div class="form-actions">
          <button type="submit" class="button danger">
            Reset password
          </button>
          <a class="button secondary" href="/_admin/users">
            Cancel
          </a>
        </div>
      </form>
    </Layout>
  );
}
