import type { Organization } from '../../../domain/entities.js';
import { type Webhook, type WebhookDelivery, webhookEvents } from '../../../domain/webhooks.js';
import { CheckboxField, CsrfField, ErrorMessage, PostButton, TextField } from '../forms.js';
import { Layout } from '../layout.js';
import { AdminNav } from './admin-nav.js';
import { organizationPath } from './admin-organizations-page.js';
import { DateTime } from './date-time.js';

export interface NewWebhookValues {
  url: string;
  events: string[];
}

export interface AdminWebhooksPageProps {
  organization: Organization;
  webhooks: Webhook[];
  deliveries: WebhookDelivery[];
  autoRevokeLeaks: boolean;
  values: NewWebhookValues;
  error?: string | undefined;
}

export function webhooksPath(organizationName: string): string {
  return `${organizationPath(organizationName)}/webhooks`;
}

function deliveryOutcome(delivery: WebhookDelivery): string {
  if (delivery.status === 'delivered') return `Delivered (${delivery.lastStatus})`;
  const last = delivery.lastError ?? (delivery.attempts === 0 ? 'Not sent yet' : '');
  return delivery.status === 'failed' ? `Failed: ${last}` : `Pending: ${last}`;
}

/** An organization's webhooks, its leaked-token setting and the latest deliveries (server administrators). */
export function AdminWebhooksPage({
  organization,
  webhooks,
  deliveries,
  autoRevokeLeaks,
  values,
  error,
}: AdminWebhooksPageProps) {
  const base = webhooksPath(organization.name);
  const urls = new Map(webhooks.map((webhook) => [webhook.id, webhook.url]));
  return (
    <Layout title={`Webhooks of ${organization.name}`}>
      <h1>Webhooks of {organization.name}</h1>
      <AdminNav current="Organizations" />
      <p>
        <a href={organizationPath(organization.name)}>Back to {organization.name}</a>
      </p>
      <ErrorMessage message={error} />
      <div class="table-wrap">
        <table>
          <caption>Webhooks</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {webhooks.length === 0 && (
              <tr>
                <td colSpan={4}>No webhooks yet.</td>
              </tr>
            )}
            {webhooks.map((webhook) => (
              <tr key={webhook.id}>
                <td class="wrap">{webhook.url}</td>
                <td>{webhook.events.join(', ')}</td>
                <td>
                  <DateTime value={webhook.createdAt} /> by {webhook.createdBy}
                </td>
                <td>
                  <PostButton action={`${base}/${webhook.id}/remove`} subject={webhook.url} variant="danger">
                    Remove
                  </PostButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="card" aria-labelledby="add-webhook-heading">
        <h2 id="add-webhook-heading">Add a webhook</h2>
        <form method="post" action={base}>
          <CsrfField />
          <TextField label="Payload URL" name="url" type="url" value={values.url} required autocomplete="off" />
          <TextField
            label="Signing secret"
            name="secret"
            type="password"
            value=""
            required
            autocomplete="new-password"
            hint="16 characters or more. Each delivery carries X-Lapis-Signature-256: sha256= HMAC of the timestamp, a dot and the body."
          />
          <fieldset>
            <legend>Events</legend>
            {webhookEvents.map((event) => (
              <CheckboxField key={event} label={event} name={`event.${event}`} checked={values.events.includes(event)} />
            ))}
          </fieldset>
          <button type="submit" class="button primary">
            Add webhook
          </button>
        </form>
      </section>
      <section class="card" aria-labelledby="leaks-heading">
        <h2 id="leaks-heading">Leaked tokens</h2>
        <p>
          Tokens reported at <code>POST /_apis/tokens/leaks</code> are{' '}
          {autoRevokeLeaks ? 'revoked at once and reported' : 'reported only, not revoked'}.
        </p>
        <PostButton action={`${base}/leaks`} variant="secondary">
          {autoRevokeLeaks ? 'Report leaked tokens without revoking them' : 'Revoke leaked tokens automatically'}
        </PostButton>
      </section>
      <div class="table-wrap">
        <table>
          <caption>Latest deliveries</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">To</th>
              <th scope="col">Outcome</th>
              <th scope="col">Attempts</th>
              <th scope="col">Queued</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.length === 0 && (
              <tr>
                <td colSpan={5}>No deliveries yet.</td>
              </tr>
            )}
            {deliveries.map((delivery) => (
              <tr key={delivery.id}>
                <td>{delivery.event}</td>
                <td class="wrap">{urls.get(delivery.webhookId) ?? ''}</td>
                <td class="wrap">{deliveryOutcome(delivery)}</td>
                <td>{delivery.attempts}</td>
                <td>
                  <DateTime value={delivery.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
