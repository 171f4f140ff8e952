import type { Kysely, Selectable } from 'kysely';
import type { DeliveryStatus, WebhookDelivery, WebhookEvent } from '../../domain/webhooks.js';
import type { DeliveryOutcome, WebhookDeliveryRepository } from '../ports.js';
import type { Database, WebhookDeliveriesTable } from './schema.js';

function toDelivery(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    event: row.event as WebhookEvent,
    payload: row.payload,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

export class KyselyWebhookDeliveryRepository implements WebhookDeliveryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(delivery: WebhookDelivery): Promise<void> {
    await this.db
      .insertInto('webhook_deliveries')
      .values({
        id: delivery.id,
        webhook_id: delivery.webhookId,
        event: delivery.event,
        payload: delivery.payload,
        status: delivery.status,
        attempts: delivery.attempts,
        next_attempt_at: delivery.nextAttemptAt,
        claimed_until: null,
        last_status: delivery.lastStatus,
        last_error: delivery.lastError,
        created_at: delivery.createdAt,
        delivered_at: delivery.deliveredAt,
      })
      .execute();
  }

  async claimDue(now: string, claimUntil: string, limit: number): Promise<WebhookDelivery[]> {
    const candidates = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: WebhookDelivery[] = [];
    for (const row of candidates) {
      // The conditional update is the claim: of two instances racing for a row, one changes it and one changes nothing.
      const result = await this.db
        .updateTable('webhook_deliveries')
        .set({ claimed_until: claimUntil })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) claimed.push(toDelivery(row));
    }
    return claimed;
  }

  async finish(id: string, outcome: DeliveryOutcome): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        next_attempt_at: outcome.nextAttemptAt,
        claimed_until: null,
        last_status: outcome.lastStatus,
        last_error: outcome.lastError,
        delivered_at: outcome.deliveredAt,
      })
      .where('id', '=', id)
      .execute();
  }

  async listForOrganization(organizationId: string, limit: number): Promise<WebhookDelivery[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .innerJoin('webhooks', 'webhooks.id', 'webhook_deliveries.webhook_id')
      .selectAll('webhook_deliveries')
      .where('webhooks.organization_id', '=', organizationId)
      .orderBy('webhook_deliveries.created_at', 'desc')
      .orderBy('webhook_deliveries.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toDelivery);
  }
}
