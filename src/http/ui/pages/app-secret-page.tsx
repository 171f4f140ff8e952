import type { OAuthApp } from '../../../domain/oauth.js';
import { Layout } from '../layout.js';
import { appPath } from './apps-nav.js';

export interface AppSecretPageProps {
  title: string;
  app: OAuthApp;
  secret: string;
}

/** The one time a client secret is shown: only in the answer to the POST that made it, never cached. */
export function AppSecretPage({ title, app, secret }: AppSecretPageProps) {
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <section class="card" aria-labelledby="secret-heading">
        <h2 id="secret-heading">{app.name}</h2>
        <dl class="details">
          <dt>App ID (client_id)</dt>
          <dd>
            <code>{app.id}</code>
          </dd>
          <dt>Client secret</dt>
          <dd>
            <code class="secret">{secret}</code>
          </dd>
        </dl>
        <div class="notice warning" role="status">
          <p>Copy the client secret now and keep it somewhere safe. It will not be shown again.</p>
        </div>
        <p>
          <a href={appPath(app.id)}>Go to the app's page</a>
        </p>
      </section>
    </Layout>
  );
}
