import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../storage/ports.js';
import { AuditLog } from './audit.js';
import { CredentialEvents } from './credential-events.js';

/** What every service receives: the store, the clock and the id source, never a concrete backend. */
export interface ServiceContext {
  store: Store;
  clock: Clock;
  newId(): string;
  credentials: CredentialEvents;
  /** Where services record what people and rules did (queued; never awaited on the request path). */
  audit: AuditLog;
}

/** Defaults for a context built without configuration (tests, tools); the composition passes the configured log. */
const defaultAudit = { flushMs: 200, retentionDays: 90 };

export function serviceContext(
  store: Store,
  clock: Clock,
  newId: () => string = randomUUID,
  audit: AuditLog = new AuditLog(store, clock, defaultAudit),
): ServiceContext {
  return { store, clock, newId, credentials: new CredentialEvents(store.changes), audit };
}
