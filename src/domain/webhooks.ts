import { DomainError } from './errors.js';

/** What an organization's webhooks can be told. */
export const webhookEvents = ['token.expiring', 'token.revoked', 'token.leaked', 'token.rotated'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export interface Webhook {
  id: string;
  organizationId: string;
  url: string;
  events: WebhookEvent[];
  createdAt: string;
  createdBy: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  /** The JSON body sent; built from token metadata only, never a secret. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

const maxUrlLength = 2048;
const minSecretLength = 16;
const maxSecretLength = 256;

/** Delays before the 2nd, 3rd, ... attempt; after the last one the delivery is given up as failed. */
export const retryDelaysMs: readonly number[] = [10_000, 60_000, 300_000, 1_800_000, 7_200_000];

/** When to try again after `attempts` failed attempts, or undefined when the delivery should be given up. */
export function nextAttemptDelay(attempts: number): number | undefined {
  return retryDelaysMs[attempts - 1];
}

export function validWebhookUrl(value: string): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DomainError('invalidInput', 'A webhook URL must be an absolute http:// or https:// URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError('invalidInput', 'A webhook URL must be an absolute http:// or https:// URL.');
  }
  if (url.username || url.password) {
    throw new DomainError('invalidInput', 'A webhook URL must not carry a user name or password; use the signing secret.');
  }
  if (text.length > maxUrlLength)
    throw new DomainError('invalidInput', `A webhook URL must be at most ${maxUrlLength} characters.`);
  return url.toString();
}

export function validWebhookSecret(value: string): string {
  if (value.length < minSecretLength || value.length > maxSecretLength || /\p{Cc}/u.test(value)) {
    throw new DomainError(
      'invalidInput',
      `A webhook secret must be ${minSecretLength} to ${maxSecretLength} printable characters.`,
    );
  }
  return value;
}

/** Space- or comma-separated event names; empty means every event. */
export function parseWebhookEvents(value: string | undefined): WebhookEvent[] {
  const names = (value ?? '').split(/[\s,]+/).filter((name) => name.length > 0);
  if (names.length === 0) return [...webhookEvents];
  const unknown = names.filter((name) => !(webhookEvents as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new DomainError('invalidInput', `Unknown webhook event "${unknown[0]}"; known: ${webhookEvents.join(', ')}.`);
  }
  return [...new Set(names as WebhookEvent[])];
}

/** Days before expiry at which a token.expiring notice goes out, from a list such as "30,7,1". */
export function parseNoticeDays(value: string): number[] {
  const days = value.split(',').map((part) => Number(part.trim()));
  if (days.length === 0 || days.some((day) => !Number.isInteger(day) || day < 1 || day > 365)) {
    throw new Error('expected a comma-separated list of whole days between 1 and 365, such as 30,7,1');
  }
  return [...new Set(days)].sort((a, b) => b - a);
}
