import type { Organization, User } from '../../../domain/entities.js';
import { CsrfField, ErrorMessage, TextField } from '../forms.js';
import { Layout } from '../layout.js';
import { AdminNav } from './admin-nav.js';
import { DateTime } from './date-time.js';

export interface NewOrganizationValues {
  name: string;
  owner: string;
}

export interface AdminOrganizationsPageProps {
  organizations: Organization[];
  users: User[];
  values: NewOrganizationValues;
  error?: string | undefined;
}

export function organizationPath(name: string): string {
  return `/_admin/organizations/${encodeURIComponent(name)}`;
}

export function AdminOrganizationsPage({ organizations, users, values, error }: AdminOrganizationsPageProps) {
  const usernames = new Map(users.map((user) => [user.id, user.username]));
  return (
    <Layout title="Organizations">
      <h1>Organizations</h1>
      <AdminNav current="Organizations" />
      <ErrorMessage message={error} />
      <div class="table-wrap">
        <table class="stacking">
          <caption>All organizations</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Owner</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {organizations.map((organization) => (
              <tr key={organization.id}>
                <th scope="row" data-label="Name">
                  <a href={organizationPath(organization.name)}>{organization.name}</a>
                </th>
                <td data-label="Owner">{usernames.get(organization.ownerId) ?? ''}</td>
                <td data-label="Created">
                  <DateTime value={organization.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="card" aria-labelledby="add-organization-heading">
        <h2 id="add-organization-heading">Add an organization</h2>
        <form method="post" action="/_admin/organizations">
          <CsrfField />
          <TextField
            label="Name"
            name="name"
            value={values.name}
            required
            autocomplete="off"
            hint="Letters, digits and hyphens, as in an Azure DevOps organization URL."
          />
          <TextField label="Owner (username)" name="owner" value={values.owner} required autocomplete="off" />
          <button type="submit" class="button primary">
            Add organization
          </button>
        </form>
      </section>
    </Layout>
  );
}
