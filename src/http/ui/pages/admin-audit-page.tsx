import { type AuditEntry, auditActions } from '../../../domain/audit.js';
import type { Organization } from '../../../domain/entities.js';
import { ErrorMessage } from '../forms.js';
import { Layout } from '../layout.js';
import { AdminNav } from './admin-nav.js';
import { organizationPath } from './admin-organizations-page.js';

export interface AuditFilters {
  action: string;
  actor: string;
  since: string;
}

export interface AdminAuditPageProps {
  organization: Organization;
  filters: AuditFilters;
  entries: AuditEntry[];
  /** The address of the next (older) page, when there is one. */
  olderHref?: string | undefined;
  error?: string | undefined;
}

const sinceChoices = [
  ['', 'Any time'],
  ['1h', 'Last hour'],
  ['1d', 'Last day'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
] as const;

/** /_admin/organizations/{name}/audit: the organization's audit log, newest first, filtered by action, actor and age. */
export function AdminAuditPage({ organization, filters, entries, olderHref, error }: AdminAuditPageProps) {
  const base = organizationPath(organization.name);
  return (
    <Layout title={`Audit log of ${organization.name}`}>
      <h1>Audit log of {organization.name}</h1>
      <AdminNav current="Organizations" />
      <p>
        <a href={base}>Members</a> · <a href={`${base}/policies`}>Token policies</a>
      </p>
      <ErrorMessage message={error} />
      <form method="get" action={`${base}/audit`} class="card filters">
        <div class="field">
          <label for="filter-action">Action</label>
          <select id="filter-action" name="action">
            <option value="">Any action</option>
            {auditActions.map((action) => (
              <option key={action} value={action} selected={action === filters.action}>
                {action}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-actor">Actor (user name)</label>
          <input id="filter-actor" name="actor" type="text" value={filters.actor} autocomplete="off" />
        </div>
        <div class="field">
          <label for="filter-since">Since</label>
          <select id="filter-since" name="since">
            {sinceChoices.map(([value, label]) => (
              <option key={value} value={value} selected={value === filters.since}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button primary">
          Filter
        </button>
      </form>
      <div class="table-wrap">
        <table class="stacking">
          <caption>Entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Action</th>
              <th scope="col">Actor</th>
              <th scope="col">Via</th>
              <th scope="col">Address</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.length === 0 ? (
              <tr>
                <td colSpan={6}>No entries match.</td>
              </tr>
            ) : (
              entries.map((entry) => (
                <tr key={entry.id}>
                  <td data-label="Time">
                    {/* To the second, in UTC: an audit trail is read by the minute. */}
                    <time dateTime={entry.timestamp}>{entry.timestamp.slice(0, 19).replace('T', ' ')} UTC</time>
                  </td>
                  <td data-label="Action">{entry.action}</td>
                  <td data-label="Actor">{entry.actorName}</td>
                  <td data-label="Via">{entry.via ?? '-'}</td>
                  <td data-label="Address">{entry.ipAddress ?? '-'}</td>
                  <td data-label="Details">{entry.details}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {olderHref && (
        <p>
          <a href={olderHref}>Older entries</a>
        </p>
      )}
    </Layout>
  );
}
