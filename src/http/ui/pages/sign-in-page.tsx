import { CsrfField, ErrorMessage, TextField } from '../forms.js';
import { Layout } from '../layout.js';

export interface SignInPageProps {
  returnUrl: string;
  username?: string;
  error?: string | undefined;
}

export function SignInPage({ returnUrl, username, error }: SignInPageProps) {
  return (
    <Layout title="Sign in">
      <section class="card narrow">
        <h1>Sign in</h1>
        <ErrorMessage message={error} />
        <form method="post" action="/_signin">
          <CsrfField />
          <input type="hidden" name="returnUrl" value={returnUrl} />
          <TextField label="Username" name="username" value={username} required autocomplete="username" />
          <TextField label="Password" name="password" type="password" required autocomplete="current-password" />
          <button type="submit" class="button primary">
            Sign in
          </button>
        </form>
      </section>
    </Layout>
  );
}
