import type { GrantWithApp } from '../../../services/oauth-grants.js';
import { Layout } from '../layout.js';
import { DateTime } from './date-time.js';
import { ScopeList } from './scope-list.js';

export function revokeAuthorizationPath(grantId: string): string {
  return `/_usersSettings/authorizations/${encodeURIComponent(grantId)}/revoke`;
}

/** The apps the user has let in, each consent with its scopes, and a way to take it back. */
export function AuthorizationsPage({ grants }: { grants: GrantWithApp[] }) {
  return (
    <Layout title="Authorized apps">
      <h1>Authorized apps</h1>
      <p>These applications can act on your behalf within the scopes you accepted. Revoking one stops its access at once.</p>
      {grants.length === 0 ? (
        <p class="card">You have not authorized any application.</p>
      ) : (
        <div class="table-wrap">
          <table class="stacking">
            <caption>Your authorizations</caption>
            <thead>
              <tr>
                <th scope="col">Application</th>
                <th scope="col">Scopes</th>
                <th scope="col">Authorized on</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {grants.map(({ grant, app }) => (
                <tr key={grant.id}>
                  <th scope="row" data-label="Application">
                    <span class="name">{app?.name ?? 'Removed application'}</span>
                    {app?.company && <span class="muted"> · {app.company}</span>}
                  </th>
                  <td data-label="Scopes">
                    <ScopeList scopes={grant.scopes} />
                  </td>
                  <td data-label="Authorized on">
                    <DateTime value={grant.createdAt} />
                  </td>
                  <td class="actions">
                    <a class="danger-link" href={revokeAuthorizationPath(grant.id)}>
                      Revoke<span class="visually-hidden"> {app?.name ?? 'removed application'}</span>
                    </a>
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
