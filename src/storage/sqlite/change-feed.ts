import type Sqlite from 'better-sqlite3';
import type { Change, ChangeFeed, ChangePublisher } from '../ports.js';

/** How often the file is asked whether another connection committed: the bound on how late others' changes are seen. */
const pollMs = 50;

/**
 * Several processes on one SQLite file: `PRAGMA data_version` changes when another connection commits, and
 * reading it costs microseconds, so it is polled and any change drops every cache (SQLite cannot say what
 * changed). Publishing sends nothing: the commit itself is the notice. This process's own changes are
 * announced in-process by the services.
 */
export class SqliteChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<(change: Change) => void>();
  private timer: NodeJS.Timeout | undefined;
  private seen: number | undefined;

  constructor(private readonly connection: Sqlite.Database) {}

  async publish(): Promise<void> {}

  publisherIn(): ChangePublisher {
    return this;
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.seen = this.version();
      this.timer = setInterval(() => this.poll(), pollMs);
      this.timer.unref();
    }
    return () => this.listeners.delete(listener);
  }

  async listening(): Promise<void> {}

  close(): void {
    clearInterval(this.timer);
  }

  private version(): number | undefined {
    try {
      return this.connection.open ? (this.connection.pragma('data_version', { simple: true }) as number) : undefined;
    } catch {
      // A busy or closing file: ask again on the next tick.
      return this.seen;
    }
  }

  private poll(): void {
    const version = this.version();
    if (version === undefined || version === this.seen) return;
    this.seen = version;
    for (const listener of this.listeners) listener({ topic: 'all', payload: '' });
  }
}
