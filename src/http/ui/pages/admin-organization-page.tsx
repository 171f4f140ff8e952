import type { Organization } from '../../../domain/entities.js';
import type { OrganizationMember } from '../../../storage/ports.js';
import { CsrfField, ErrorMessage, PostButton, TextField } from '../forms.js';
import { Layout } from '../layout.js';
import { AdminNav } from './admin-nav.js';
import { organizationPath } from './admin-organizations-page.js';
import { DateTime } from './date-time.js';
import { organizationTokensPath } from './organization-tokens-page.js';

export interface AdminOrganizationPageProps {
  organization: Organization;
  members: OrganizationMember[];
  newMember: string;
  error?: string | undefined;
}

export function AdminOrganizationPage({ organization, members, newMember, error }: AdminOrganizationPageProps) {
  const base = organizationPath(organization.name);
  return (
    <Layout title={`Organization ${organization.name}`}>
      <h1>Organization {organization.name}</h1>
      <AdminNav current="Organizations" />
      <p>
        <a href={`${base}/policies`}>Token policies</a> · <a href={`${base}/audit`}>Audit log</a> ·{' '}
        <a href={`${base}/webhooks`}>Webhooks and leaked tokens</a> ·{' '}
        <a href={organizationTokensPath(organization)}>Members' tokens</a>
      </p>
      <ErrorMessage message={error} />
      <div class="table-wrap">
        <table class="stacking">
          <caption>Members</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Display name</th>
              <th scope="col">Member since</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map(({ user, addedAt }) => (
              <tr key={user.id}>
                <th scope="row" data-label="Username">
                  {user.username}
                </th>
                <td data-label="Display name">{user.displayName}</td>
                <td data-label="Member since">
                  <DateTime value={addedAt} />
                </td>
                <td class="actions">
                  {user.id === organization.ownerId ? (
                    <span class="badge">Owner</span>
                  ) : (
                    <PostButton
                      action={`${base}/members/${encodeURIComponent(user.username)}/remove`}
                      subject={user.username}
                      variant="danger"
                    >
                      Remove
                    </PostButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="card" aria-labelledby="add-member-heading">
        <h2 id="add-member-heading">Add a member</h2>
        <form method="post" action={`${base}/members`}>
          <CsrfField />
          <TextField label="Username" name="username" value={newMember} required autocomplete="off" />
          <button type="submit" class="button primary">
            Add member
          </button>
        </form>
      </section>
    </Layout>
  );
}
