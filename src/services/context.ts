import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../storage/ports.js';
import { CredentialEvents } from './credential-events.js';

/** What every service receives: the store, the clock and the id source, never a concrete backend. */
export interface ServiceContext {
  store: Store;
  clock: Clock;
  newId(): string;
  credentials: CredentialEvents;
}

export function serviceContext(store: Store, clock: Clock, newId: () => string = randomUUID): ServiceContext {
  return { store, clock, newId, credentials: new CredentialEvents(store.changes) };
}
