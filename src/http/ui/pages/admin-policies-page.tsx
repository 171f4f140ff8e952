import { policyTitle } from '../../../domain/audit.js';
import type { Organization, User } from '../../../domain/entities.js';
import { type OrganizationPolicy, policyModes } from '../../../domain/org-policies.js';
import type { ViolatingToken } from '../../../services/org-policies.js';
import { CsrfField, ErrorMessage } from '../forms.js';
import { Layout } from '../layout.js';
import { AdminNav } from './admin-nav.js';
import { organizationPath } from './admin-organizations-page.js';
import { DateTime } from './date-time.js';

export interface AdminPoliciesPageProps {
  organization: Organization;
  policies: OrganizationPolicy[];
  users: User[];
  violating: ViolatingToken[];
  notice?: string | undefined;
  error?: string | undefined;
}

const modeHelp: Record<OrganizationPolicy['mode'], string> = {
  off: 'Off',
  audit: 'Audit: record violations in the audit log',
  warn: 'Warn: also tell the caller (a response header, a banner on the tokens page)',
  enforce: 'Enforce: refuse new and changed tokens that break it; existing ones work until renewed',
};

export function policiesPath(organization: Organization): string {
  return `${organizationPath(organization.name)}/policies`;
}

function PolicyForm({ organization, policy, users }: { organization: Organization; policy: OrganizationPolicy; users: User[] }) {
  const id = `policy-${policy.policy}`;
  const names = policy.allowedUserIds.map((userId) => users.find((u) => u.id === userId)?.username ?? userId);
  return (
    <section class="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{policyTitle(policy.policy).replace(/^./, (c) => c.toUpperCase())}</h2>
      <form method="post" action={`${policiesPath(organization)}/${policy.policy}`}>
        <CsrfField />
        <div class="field">
          <label for={`${id}-mode`}>Mode</label>
          <select id={`${id}-mode`} name="mode">
            {policyModes.map((mode) => (
              <option key={mode} value={mode} selected={mode === policy.mode}>
                {modeHelp[mode]}
              </option>
            ))}
          </select>
        </div>
        {policy.policy === 'maxLifespan' && (
          <div class="field">
            <label for={`${id}-days`}>Longest lifetime (days)</label>
            <input
              id={`${id}-days`}
              name="maxDays"
              type="number"
              min="1"
              value={policy.maxDays === null ? '' : String(policy.maxDays)}
            />
          </div>
        )}
        <div class="field">
          <label for={`${id}-allow`}>Exempt users</label>
          <input id={`${id}-allow`} name="allow" type="text" value={names.join(', ')} aria-describedby={`${id}-allow-hint`} />
          <p class="hint" id={`${id}-allow-hint`}>
            User names separated by commas; the policy does not apply to them.
          </p>
        </div>
        <button type="submit" class="button primary">
          Save
        </button>
      </form>
    </section>
  );
}

/** /_admin/organizations/{name}/policies: the three token policies, and the tokens that break them today. */
export function AdminPoliciesPage({ organization, policies, users, violating, notice, error }: AdminPoliciesPageProps) {
  return (
    <Layout title={`Token policies of ${organization.name}`}>
      <h1>Token policies of {organization.name}</h1>
      <AdminNav current="Organizations" />
      <p>
        <a href={organizationPath(organization.name)}>Members</a> ·{' '}
        <a href={`${organizationPath(organization.name)}/audit`}>Audit log</a>
      </p>
      <ErrorMessage message={error} />
      {notice && (
        <div class="notice" role="status">
          <p>{notice}</p>
        </div>
      )}
      {policies.map((policy) => (
        <PolicyForm key={policy.policy} organization={organization} policy={policy} users={users} />
      ))}
      <div class="table-wrap">
        <table>
          <caption>Active tokens that break a policy ({violating.length})</caption>
          <thead>
            <tr>
              <th scope="col">Owner</th>
              <th scope="col">Token</th>
              <th scope="col">Expires</th>
              <th scope="col">Breaks</th>
            </tr>
          </thead>
          <tbody>
            {violating.length === 0 ? (
              <tr>
                <td colSpan={4}>None: switching a policy to enforce refuses no existing token's renewal.</td>
              </tr>
            ) : (
              violating.map(({ token, owner, violations }) => (
                <tr key={token.id}>
                  <td>{owner.username}</td>
                  <td>{token.displayName}</td>
                  <td>
                    <DateTime value={token.validTo} />
                  </td>
                  <td>{violations.map((v) => `${policyTitle(v.policy)} (${v.mode})`).join(', ')}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
