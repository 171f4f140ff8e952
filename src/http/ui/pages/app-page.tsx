import type { OAuthApp } from '../../../domain/oauth.js';
import { Layout } from '../layout.js';
import { AppsNav, appPath } from './apps-nav.js';
import { DateTime } from './date-time.js';
import { ScopeList } from './scope-list.js';

/** One app's registration: everything but its secret, which only its hash remembers. */
/** The URLs a client of this app uses, with a ready authorize link for its first callback and all its scopes. */
function Endpoints({ app, baseUrl }: { app: OAuthApp; baseUrl: string }) {
  const authorize = new URL(`${baseUrl}/oauth2/authorize`);
  authorize.search = new URLSearchParams({
    client_id: app.id,
    response_type: 'Assertion',
    state: 'try',
    scope: app.scopes.join(' '),
    redirect_uri: app.callbackUrls[0] ?? '',
  }).toString();
  return (
    <section class="card" aria-labelledby="endpoints-heading">
      <h2 id="endpoints-heading">Endpoints</h2>
      <dl class="details">
        <dt>Authorize URL</dt>
        <dd>
          <code>{baseUrl}/oauth2/authorize</code>
        </dd>
        <dt>Token URL</dt>
        <dd>
          <code>{baseUrl}/oauth2/token</code>
        </dd>
      </dl>
      <p>
        <a href={authorize.href}>Authorize this app now</a> (asks for every scope above and lands on{' '}
        <code>{app.callbackUrls[0]}</code> with a code). Or run <code>lapis app try {app.id}</code>, which listens on a loopback
        callback and prints the tokens.
      </p>
    </section>
  );
}

export function AppPage({ app, baseUrl }: { app: OAuthApp; baseUrl: string }) {
  return (
    <Layout title={app.name}>
      <h1>{app.name}</h1>
      <AppsNav />
      <section class="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Registration</h2>
        <dl class="details">
          <dt>App ID (client_id)</dt>
          <dd>
            <code>{app.id}</code>
          </dd>
          <dt>Company</dt>
          <dd>{app.company || <span class="muted">None</span>}</dd>
          <dt>Website</dt>
          <dd>
            {app.website ? (
              <a href={app.website} rel="noopener noreferrer">
                {app.website}
              </a>
            ) : (
              <span class="muted">None</span>
            )}
          </dd>
          <dt>Description</dt>
          <dd class="description">{app.description || <span class="muted">None</span>}</dd>
          <dt>Callback URLs</dt>
          <dd>
            <ul class="plain-list">
              {app.callbackUrls.map((url) => (
                <li key={url}>
                  <code>{url}</code>
                </li>
              ))}
            </ul>
          </dd>
          <dt>Created</dt>
          <dd>
            <DateTime value={app.createdAt} />
          </dd>
          <dt>Client type</dt>
          <dd>
            {app.isPublic
              ? 'Public: proves itself with PKCE, has no client secret'
              : 'Confidential: authenticates with its client secret'}
          </dd>
          {!app.isPublic && (
            <>
              <dt>Client secret created</dt>
              <dd>
                <DateTime value={app.secretCreatedAt} />
              </dd>
            </>
          )}
        </dl>
      </section>
      <Endpoints app={app} baseUrl={baseUrl} />
      <section class="card" aria-labelledby="scopes-heading">
        <h2 id="scopes-heading">Authorized scopes</h2>
        <ScopeList scopes={app.scopes} />
      </section>
      <section class="card" aria-labelledby="manage-heading">
        <h2 id="manage-heading">Manage</h2>
        {!app.isPublic && (
          <p>A new client secret replaces the current one at once: update the app before its next token request.</p>
        )}
        <p class="form-actions">
          <a class="button secondary" href={appPath(app.id, 'edit')}>
            Edit callbacks and scopes
          </a>
          {!app.isPublic && (
            <a class="button secondary" href={appPath(app.id, 'rotate-secret')}>
              Rotate secret
            </a>
          )}
          <a class="button danger" href={appPath(app.id, 'remove')}>
            Remove app
          </a>
        </p>
      </section>
    </Layout>
  );
}
