import type { Organization, User } from '../../../domain/entities.js';
import { Layout } from '../layout.js';
import { tokensPath } from './token-paths.js';

export function HomePage({ user, organizations }: { user: User; organizations: Organization[] }) {
  return (
    <Layout title="Home">
      <h1>Welcome, {user.displayName}</h1>
      <section aria-labelledby="organizations-heading">
        <h2 id="organizations-heading">Your organizations</h2>
        {organizations.length === 0 ? (
          <p>You are not a member of any organization yet. Ask an administrator to add you to one.</p>
        ) : (
          <ul class="link-list">
            {organizations.map((organization) => (
              <li key={organization.id}>
                <span class="name">{organization.name}</span>
                <a href={tokensPath(organization)}>
                  Personal access tokens<span class="visually-hidden"> for {organization.name}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="oauth-heading">
        <h2 id="oauth-heading">OAuth applications</h2>
        <ul class="link-list">
          <li>
            <a href="/_usersSettings/authorizations">Authorized apps</a>
            <span class="muted">Apps you let act on your behalf</span>
          </li>
          <li>
            <a href="/app">My apps</a>
            <span class="muted">Apps you registered, and new registrations</span>
          </li>
        </ul>
      </section>
      {user.isAdmin && (
        <section aria-labelledby="admin-heading">
          <h2 id="admin-heading">Administration</h2>
          <ul class="link-list">
            <li>
              <a href="/_admin/users">Manage users</a>
            </li>
            <li>
              <a href="/_admin/organizations">Manage organizations</a>
            </li>
          </ul>
        </section>
      )}
    </Layout>
  );
}
