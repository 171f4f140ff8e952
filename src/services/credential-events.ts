import type { Change, ChangeFeed, ChangeTopic } from '../storage/ports.js';

/**
 * Notice that credentials changed (a token revoked, a member removed, a user disabled, keys rotated), so
 * verification caches drop what they hold: at once in this process, and in every other process through the
 * store's change feed (PostgreSQL NOTIFY, SQLite's data_version). The caches' short lifetime is the backstop
 * for a notice that is lost.
 */
export class CredentialEvents {
  private readonly listeners = new Set<(change: Change) => void>();
  private listening = false;
  /** Notices that could not be sent; other processes then rely on the cache lifetime. Read by /metrics. */
  publishFailures = 0;

  constructor(private readonly feed: ChangeFeed) {}

  /** The first subscriber starts listening to other processes; a process without caches (the CLI) never does. */
  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    if (!this.listening) {
      this.listening = true;
      this.feed.subscribe((change) => this.emit(change));
    }
    return () => this.listeners.delete(listener);
  }

  /** Tells this process and every other one. Awaited, so an answer that says "revoked" is sent after the notice. */
  async changed(topic: ChangeTopic, payload = ''): Promise<void> {
    this.changedHere(topic, payload);
    try {
      await this.feed.publish(topic, payload);
    } catch {
      this.publishFailures++;
    }
  }

  /** This process only: for a change whose notice left with its own transaction (`repositories.changes`). */
  changedHere(topic: ChangeTopic, payload = ''): void {
    this.emit({ topic, payload });
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}
