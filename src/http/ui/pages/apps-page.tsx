import type { OAuthApp } from '../../../domain/oauth.js';
import { Layout } from '../layout.js';
import { AppsNav, appPath } from './apps-nav.js';
import { DateTime } from './date-time.js';

export function AppsPage({ apps }: { apps: OAuthApp[] }) {
  return (
    <Layout title="My apps">
      <h1>My apps</h1>
      <AppsNav current="My apps" />
      {apps.length === 0 ? (
        <p class="card">
          You have not registered any application. <a href="/app/register">Register one</a> to let it ask users for access.
        </p>
      ) : (
        <div class="table-wrap">
          <table class="stacking">
            <caption>Applications you registered</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">App ID</th>
                <th scope="col">Callback URLs</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {apps.map((app) => (
                <tr key={app.id}>
                  <th scope="row" data-label="Name">
                    <a href={appPath(app.id)}>{app.name}</a>
                  </th>
                  <td data-label="App ID">
                    <code>{app.id}</code>
                  </td>
                  <td data-label="Callback URLs">
                    <ul class="plain-list">
                      {app.callbackUrls.map((url) => (
                        <li key={url}>
                          <code>{url}</code>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td data-label="Scopes">
                    <code>{app.scopes.join(' ')}</code>
                  </td>
                  <td data-label="Created">
                    <DateTime value={app.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
