import type { User } from '../../../domain/entities.js';
import { CheckboxField, CsrfField, ErrorMessage, PostButton, TextField } from '../forms.js';
import { Layout } from '../layout.js';
import { AdminNav } from './admin-nav.js';
import { resetPasswordPath } from './admin-reset-password-page.js';
import { DateTime } from './date-time.js';

export interface NewUserValues {
  username: string;
  displayName: string;
  email: string;
  isAdmin: boolean;
}

export const emptyNewUser: NewUserValues = { username: '', displayName: '', email: '', isAdmin: false };

export interface AdminUsersPageProps {
  users: User[];
  me: User;
  values: NewUserValues;
  error?: string | undefined;
}

function userPath(user: User, action: string): string {
  return `/_admin/users/${encodeURIComponent(user.username)}/${action}`;
}

export function AdminUsersPage({ users, me, values, error }: AdminUsersPageProps) {
  return (
    <Layout title="Users">
      <h1>Users</h1>
      <AdminNav current="Users" />
      <ErrorMessage message={error} />
      <div class="table-wrap">
        <table class="stacking">
          <caption>All users</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Display name</th>
              <th scope="col">Email</th>
              <th scope="col">Admin</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id}>
                <th scope="row" data-label="Username">
                  {user.username}
                </th>
                <td data-label="Display name">{user.displayName}</td>
                <td data-label="Email">{user.email ?? ''}</td>
                <td data-label="Admin">{user.isAdmin ? 'Yes' : 'No'}</td>
                <td data-label="Status">
                  {user.disabledAt ? <span class="badge muted">Disabled</span> : <span class="badge">Active</span>}
                </td>
                <td data-label="Created">
                  <DateTime value={user.createdAt} />
                </td>
                <td class="actions">
                  <a href={resetPasswordPath(user)}>
                    Reset password<span class="visually-hidden"> of {user.username}</span>
                  </a>{' '}
                  {user.id !== me.id &&
                    (user.disabledAt ? (
                      <PostButton action={userPath(user, 'enable')} subject={user.username}>
                        Enable
                      </PostButton>
                    ) : (
                      <PostButton action={userPath(user, 'disable')} subject={user.username} variant="danger">
                        Disable
                      </PostButton>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="card" aria-labelledby="add-user-heading">
        <h2 id="add-user-heading">Add a user</h2>
        <form method="post" action="/_admin/users">
          <CsrfField />
          <TextField label="Username" name="username" value={values.username} required autocomplete="off" />
          <TextField
            label="Display name"
            name="displayName"
            value={values.displayName}
            hint="Optional: the username is used when empty."
          />
          <TextField label="Email" name="email" type="email" value={values.email} hint="Optional." />
          <TextField
            label="Password"
            name="password"
            type="password"
            autocomplete="new-password"
            hint="Optional, at least 12 characters and not a common password. Without one the user cannot sign in to the web UI."
          />
          <CheckboxField label="Administrator" name="isAdmin" checked={values.isAdmin} />
          <button type="submit" class="button primary">
            Add user
          </button>
        </form>
      </section>
    </Layout>
  );
}
