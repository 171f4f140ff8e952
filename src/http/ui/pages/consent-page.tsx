import type { User } from '../../../domain/entities.js';
import type { AppDescription } from '../../../services/oauth-authorization.js';
import { CsrfField } from '../forms.js';
import { Layout } from '../layout.js';
import { ScopeList } from './scope-list.js';

export interface ConsentPageProps {
  user: User;
  app: AppDescription;
  scopes: readonly string[];
  redirectUri: string;
  /** The request's parameters, posted back and validated again. */
  fields: [string, string][];
}

export function ConsentPage({ user, app, scopes, redirectUri, fields }: ConsentPageProps) {
  return (
    <Layout title={`Authorize ${app.name}`}>
      <section class="card consent" aria-labelledby="consent-heading">
        <h1 id="consent-heading">Authorize {app.name}</h1>
        <p>
          <strong>{app.name}</strong>
          {app.company && <> by {app.company}</>} asks for access to your Lapis account <strong>{user.username}</strong>.
        </p>
        {app.website && (
          <p>
            Website:{' '}
            <a href={app.website} rel="noopener noreferrer">
              {app.website}
            </a>
          </p>
        )}
        {app.description && <p class="description">{app.description}</p>}
        <h2 id="scopes-heading">It will be able to</h2>
        <ScopeList scopes={scopes} label="Requested scopes" />
        <p class="muted">
          Afterwards you are sent to <code>{redirectUri}</code>. You can revoke this access at any time under{' '}
          <a href="/_usersSettings/authorizations">Authorized apps</a>.
        </p>
        <form method="post" action="/oauth2/authorize" class="form-actions">
          <CsrfField />
          {fields.map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <button type="submit" name="decision" value="accept" class="button primary">
            Accept
          </button>
          <button type="submit" name="decision" value="deny" class="button secondary">
            Deny
          </button>
        </form>
      </section>
    </Layout>
  );
}
