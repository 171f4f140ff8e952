import type { Kysely, Selectable } from 'kysely';
import type { WebhookEvent } from '../../domain/webhooks.js';
import type { StoredWebhook, WebhookRepository } from '../ports.js';
import type { Database, WebhooksTable } from './schema.js';

function toWebhook(row: Selectable<WebhooksTable>): StoredWebhook {
  return {
    id: row.id,
    organizationId: row.organization_id,
    url: row.url,
    secretSealed: row.secret_sealed,
    events: row.events.split(' ').filter(Boolean) as WebhookEvent[],
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

export class KyselyWebhookRepository implements WebhookRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(webhook: StoredWebhook): Promise<void> {
    await this.db
      .insertInto('webhooks')
      .values({
        id: webhook.id,
        organization_id: webhook.organizationId,
        url: webhook.url,
        secret_sealed: webhook.secretSealed,
        events: webhook.events.join(' '),
        created_at: webhook.createdAt,
        created_by: webhook.createdBy,
      })
      .execute();
  }

  async listForOrganization(organizationId: string): Promise<StoredWebhook[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toWebhook);
  }

  async findById(id: string): Promise<StoredWebhook | undefined> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toWebhook(row);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('webhooks')
      .where('id', '=', id)
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
