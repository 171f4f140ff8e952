import { createHmac } from 'node:crypto';
import type { Organization, PersonalAccessToken } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import {
  nextAttemptDelay,
  parseWebhookEvents,
  validWebhookSecret,
  validWebhookUrl,
  type Webhook,
  type WebhookDelivery,
  type WebhookEvent,
} from '../domain/webhooks.js';
import type { ServiceContext } from './context.js';
import type { SecretBox } from './secret-box.js';
import type { WebhookTransport } from './webhook-transport.js';

const dayMs = 86_400_000;
/** How long an instance holds a claimed delivery before another may take it over (a crash mid-send). */
const claimMs = 60_000;
const claimBatch = 20;
const errorTextLimit = 300;

export interface NewWebhook {
  organization: Organization;
  url: string;
  secret: string;
  /** Space- or comma-separated; empty for every event. */
  events?: string | undefined;
  /** Who added it, as shown on the admin page: a username, or `CLI`. */
  createdBy: string;
}

/** What a payload says about a token: metadata only, never the token or its hash. */
export interface TokenFacts {
  authorizationId: string;
  displayName: string;
  owner: string;
  scopes: string[];
  validTo: string;
  organizationId: string | null;
}

/**
 * Webhooks per organization. Events become delivery rows first (durable, visible on the admin page), and a
 * timer in every instance sends the due ones; a claim in the database keeps two instances from sending one twice.
 */
export class WebhookService {
  constructor(
    private readonly context: ServiceContext,
    private readonly box: SecretBox,
    private readonly transport: WebhookTransport,
    private readonly noticeDays: readonly number[],
  ) {}

  async add(input: NewWebhook): Promise<Webhook> {
    const webhook = {
      id: this.context.newId(),
      organizationId: input.organization.id,
      url: validWebhookUrl(input.url),
      events: parseWebhookEvents(input.events),
      createdAt: this.context.clock.now().toISOString(),
      createdBy: input.createdBy,
    };
    await this.context.store.webhooks.insert({ ...webhook, secretSealed: this.box.seal(validWebhookSecret(input.secret)) });
    return webhook;
  }

  async list(organization: Organization): Promise<Webhook[]> {
    const stored = await this.context.store.webhooks.listForOrganization(organization.id);
    return stored.map(({ secretSealed: _sealed, ...webhook }) => webhook);
  }

  async remove(organization: Organization, id: string): Promise<void> {
    if (!(await this.context.store.webhooks.delete(organization.id, id))) {
      throw new DomainError('invalidInput', `The organization has no webhook with the id "${id}".`);
    }
  }

  deliveries(organization: Organization, limit = 50): Promise<WebhookDelivery[]> {
    return this.context.store.webhookDeliveries.listForOrganization(organization.id, limit);
  }

  /** Queues the event for every webhook of the organizations that asked for it. */
  async emit(organizationIds: readonly string[], event: WebhookEvent, data: Record<string, unknown>): Promise<number> {
    const now = this.context.clock.now().toISOString();
    let queued = 0;
    for (const organizationId of new Set(organizationIds)) {
      const organization = await this.context.store.organizations.findById(organizationId);
      if (!organization) continue;
      for (const webhook of await this.context.store.webhooks.listForOrganization(organizationId)) {
        if (!webhook.events.includes(event)) continue;
        const id = this.context.newId();
        const payload = JSON.stringify({
          id,
          event,
          occurredAt: now,
          organization: { id: organization.id, name: organization.name },
          ...data,
        });
        await this.context.store.webhookDeliveries.insert({
          id,
          webhookId: webhook.id,
          event,
          payload,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          lastStatus: null,
          lastError: null,
          createdAt: now,
          deliveredAt: null,
        });
        queued++;
      }
    }
    return queued;
  }

  /** The organizations a token speaks for: its own, or every one its user belongs to. */
  async organizationsOf(token: PersonalAccessToken): Promise<string[]> {
    if (token.organizationId !== null) return [token.organizationId];
    const organizations = await this.context.store.organizations.listForMember(token.userId);
    return organizations.map((organization) => organization.id);
  }

  async tokenFacts(token: PersonalAccessToken): Promise<TokenFacts> {
    const owner = await this.context.store.users.findById(token.userId);
    return {
      authorizationId: token.id,
      displayName: token.displayName,
      owner: owner?.username ?? token.userId,
      scopes: [...token.scopes],
      validTo: token.validTo,
      organizationId: token.organizationId,
    };
  }

  async tokenRevoked(token: PersonalAccessToken): Promise<void> {
    await this.emit(await this.organizationsOf(token), 'token.revoked', {
      token: await this.tokenFacts(token),
      revokedAt: token.revokedAt,
    });
  }

  /**
   * Queues a token.expiring notice for each token that has crossed a notice threshold. Only the nearest crossed
   * threshold is sent (a 5-day token gets the 7-day notice, not the 30-day one), once per token and threshold.
   */
  async scanExpiring(): Promise<number> {
    const now = this.context.clock.now();
    const farthest = Math.max(...this.noticeDays);
    const tokens = await this.context.store.expiryNotices.tokensExpiringBetween(
      now.toISOString(),
      new Date(now.getTime() + farthest * dayMs).toISOString(),
    );
    let sent = 0;
    for (const token of tokens) {
      const remainingMs = Date.parse(token.validTo) - now.getTime();
      const days = Math.min(...this.noticeDays.filter((threshold) => remainingMs <= threshold * dayMs));
      if (!(await this.context.store.expiryNotices.recordIfAbsent(token.id, days, now.toISOString()))) continue;
      await this.emit(await this.organizationsOf(token), 'token.expiring', {
        token: await this.tokenFacts(token),
        withinDays: days,
      });
      sent++;
    }
    return sent;
  }

  /** Sends the deliveries that are due; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const now = this.context.clock.now();
    const claimed = await this.context.store.webhookDeliveries.claimDue(
      now.toISOString(),
      new Date(now.getTime() + claimMs).toISOString(),
      claimBatch,
    );
    for (const delivery of claimed) await this.attempt(delivery);
    return claimed.length;
  }

  private signingSecret(sealed: string): string {
    try {
      return this.box.open(sealed);
    } catch {
      throw new Error('cannot open the signing secret: this instance has a different token key than the one that stored it');
    }
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    const webhook = await this.context.store.webhooks.findById(delivery.webhookId);
    if (!webhook) return;
    const attempts = delivery.attempts + 1;
    let status: number | null = null;
    let failure: string | null = null;
    try {
      const timestamp = Math.floor(this.context.clock.now().getTime() / 1000).toString();
      const signature = createHmac('sha256', this.signingSecret(webhook.secretSealed))
        .update(`${timestamp}.${delivery.payload}`)
        .digest('hex');
      const response = await this.transport(webhook.url, delivery.payload, {
        'x-lapis-event': delivery.event,
        'x-lapis-delivery': delivery.id,
        'x-lapis-timestamp': timestamp,
        'x-lapis-signature-256': `sha256=${signature}`,
        'user-agent': 'Lapis-Webhooks/1',
      });
      status = response.status;
      if (status < 200 || status > 299) failure = `the receiver answered ${status}`;
    } catch (error) {
      failure = (error instanceof Error ? error.message : String(error)).slice(0, errorTextLimit);
    }
    const finishedAt = this.context.clock.now();
    const retryIn = failure === null ? undefined : nextAttemptDelay(attempts);
    await this.context.store.webhookDeliveries.finish(delivery.id, {
      status: failure === null ? 'delivered' : retryIn === undefined ? 'failed' : 'pending',
      attempts,
      nextAttemptAt: new Date(finishedAt.getTime() + (retryIn ?? 0)).toISOString(),
      lastStatus: status,
      lastError: failure,
      deliveredAt: failure === null ? finishedAt.toISOString() : null,
    });
  }
}
