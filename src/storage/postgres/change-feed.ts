import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import type { Database } from '../kysely/schema.js';
import { type Change, type ChangeFeed, type ChangePublisher, type ChangeTopic, changeTopics } from '../ports.js';
import { pgDriver } from './driver.js';

/** The wire form of one notice: topic, payload, sent-at, and the sending process (which ignores its own). */
interface Notice {
  t: ChangeTopic;
  p: string;
  at: number;
  from: string;
}

/** Reconnection waits grow from this to the ceiling, so a database that is away is not hammered. */
const firstRetryMs = 50;
const retryCeilingMs = 2_000;

export interface PostgresChangeFeedOptions {
  /** Connection settings of the listening connection: the store's own, but never a pooled client. */
  client: pg.ClientConfig;
  /** One channel per schema, so stores in different schemas of one database never hear each other. */
  channel: string;
  pool: pg.Pool;
  translate: (error: unknown) => unknown;
}

/**
 * LISTEN/NOTIFY on one dedicated connection per process. A lost connection (restart, failover, a terminated
 * backend) is re-established with growing waits; what was published meanwhile is unknown, so every subscriber
 * then hears `all` and drops its caches. The caches' lifetime is the backstop for the time without a connection.
 */
export class PostgresChangeFeed implements ChangeFeed {
  private readonly process = randomUUID();
  private readonly listeners = new Set<(change: Change) => void>();
  private client: pg.Client | undefined;
  private started = false;
  private closed = false;
  private retryMs = firstRetryMs;
  private retryTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;

  constructor(private readonly options: PostgresChangeFeedOptions) {}

  async publish(topic: ChangeTopic, payload = ''): Promise<void> {
    try {
      await this.options.pool.query('select pg_notify($1, $2)', [this.options.channel, this.notice(topic, payload)]);
    } catch (error) {
      throw this.options.translate(error);
    }
  }

  /** The publisher of one transaction: PostgreSQL holds the notice until the commit and drops it on rollback. */
  publisherIn(trx: Kysely<Database>): ChangePublisher {
    return {
      publish: async (topic, payload = '') => {
        await sql`select pg_notify(${this.options.channel}, ${this.notice(topic, payload)})`.execute(trx);
      },
    };
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    if (!this.started && !this.closed) {
      this.started = true;
      this.connecting = this.connect(false);
    }
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the first LISTEN is in place (or has failed and is being retried). */
  async listening(): Promise<void> {
    await this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private notice(topic: ChangeTopic, payload: string): string {
    const notice: Notice = { t: topic, p: payload, at: Date.now(), from: this.process };
    return JSON.stringify(notice);
  }

  private async connect(afterLoss: boolean): Promise<void> {
    const client = new (pgDriver().Client)(this.options.client);
    // Without a listener an 'error' from a dropped connection would end the process.
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload !== undefined) this.heard(message.payload);
    });
    try {
      await client.connect();
      await client.query(`listen "${this.options.channel}"`);
    } catch {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      this.retry(afterLoss);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.retryMs = firstRetryMs;
    if (afterLoss) this.emit({ topic: 'all', payload: '' });
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners('end');
    void client.end().catch(() => {});
    // Changes may be published while nobody listens; caches must not outlive the gap.
    this.emit({ topic: 'all', payload: '' });
    this.retry(true);
  }

  private retry(afterLoss: boolean): void {
    if (this.closed) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, retryCeilingMs);
    this.retryTimer = setTimeout(() => {
      this.connecting = this.connect(afterLoss);
    }, wait);
    this.retryTimer.unref();
  }

  private heard(raw: string): void {
    let notice: Partial<Notice>;
    try {
      notice = JSON.parse(raw) as Partial<Notice>;
    } catch {
      return;
    }
    if (notice.from === this.process) return;
    const topic = changeTopics.find((known) => known === notice.t);
    // A topic this version does not know (a newer instance during an upgrade) still drops every cache.
    this.emit({
      topic: topic ?? 'all',
      payload: typeof notice.p === 'string' ? notice.p : '',
      ...(typeof notice.at === 'number' && { sentAt: notice.at }),
    });
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}
