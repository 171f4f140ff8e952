import { randomBytes } from 'node:crypto';
import { type AuditEntry, type AuditEvent, type AuditQuery, auditEntry } from '../domain/audit.js';
import type { Clock } from '../domain/clock.js';
import { dayMs } from '../domain/pat-rules.js';
import type { Store } from '../storage/ports.js';

export interface AuditOptions {
  /** How long recorded events wait before they are written together. */
  flushMs: number;
  /** Entries older than this many days are pruned. */
  retentionDays: number;
  /** Events held while the database is unreachable; beyond it the oldest are dropped (and reported). */
  maxQueued?: number;
  onError?: (error: unknown, context: string) => void;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** The id to pass as `before` for the next page; undefined on the last page. */
  continuation: string | undefined;
}

const pruneIntervalMs = 3_600_000;

/**
 * Entries per insert. Where an insert runs on the request thread (an in-memory SQLite store: about 7 µs an entry), a
 * busy interval's batch is written in slices of this many, each in its own transaction, with the event loop let through
 * between them: a request arriving meanwhile waits for one slice (under half a millisecond), not for the whole batch.
 * Larger slices cost less per entry (6.8 µs at 64, 5.5 µs at 1,800), smaller ones hold the thread for less. A SQLite
 * file store hands each slice to its audit writer thread, and PostgreSQL's inserts are network I/O: there a slice
 * holds the request thread only while its statement is built and sent.
 */
const writeSlice = 64;

/**
 * The audit log. `record` only queues (it never waits for the database, so a request pays for a push); the
 * queue is written in slices on a short timer, before every read, and at `close` (a clean stop loses
 * nothing). Reads page by id, newest first; `pages` walks a whole log one page at a time for exports.
 */
export class AuditLog {
  private queue: AuditEntry[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private sequence = 0;
  private readonly processTag = randomBytes(3).toString('hex');
  private closed = false;
  private sliceWrite: NodeJS.Immediate | undefined;
  private failing = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private options: AuditOptions,
  ) {}

  /** Where write and prune failures go (the server's log); they never reach the caller of `record`. */
  reportErrorsTo(onError: (error: unknown, context: string) => void): void {
    this.options = { ...this.options, onError };
  }

  record(event: AuditEvent): void {
    const timestamp = this.clock.now().toISOString();
    this.queue.push(auditEntry(event, this.nextId(timestamp), timestamp));
    const max = this.options.maxQueued ?? 100_000;
    if (this.queue.length > max) {
      const dropped = this.queue.splice(0, this.queue.length - max);
      this.options.onError?.(new Error(`${dropped.length} audit entries dropped`), 'audit queue full');
    }
    if (this.closed) {
      void this.flush();
      return;
    }
    // A full slice is written as soon as the request that filled it is answered: entries that wait for the timer
    // outlive the young generation (about 3 µs of collector time each, bench:audit). Not while writes fail: then the
    // retry timer paces the attempts.
    if (this.queue.length >= writeSlice && !this.failing) this.sliceWrite ??= setImmediate(() => this.writeSliceNow());
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, this.options.flushMs);
    this.flushTimer.unref();
  }

  /** Writes everything queued so far; concurrent calls write in order. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeQueued());
    return this.flushing;
  }

  /** Starts pruning old entries (now and every hour). The server calls it; one-shot CLI commands do not. */
  startPruning(): void {
    if (this.pruneTimer) return;
    void this.prune();
    this.pruneTimer = setInterval(() => void this.prune(), pruneIntervalMs);
    this.pruneTimer.unref();
  }

  async prune(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.options.retentionDays * dayMs).toISOString();
    try {
      return await this.store.audit.deleteBefore(cutoff);
    } catch (error) {
      this.options.onError?.(error, 'could not prune the audit log');
      return 0;
    }
  }

  /** Stops the timers and writes what is queued: called at shutdown, before the store closes. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.flushTimer = undefined;
    this.pruneTimer = undefined;
    await this.flush();
  }

  async page(query: AuditQuery, size: number): Promise<AuditPage> {
    await this.flush();
    const rows = await this.store.audit.page(query, size + 1);
    const entries = rows.slice(0, size);
    return { entries, continuation: rows.length > size ? entries.at(-1)?.id : undefined };
  }

  /** Every matching entry, newest first, read `pageSize` at a time: memory holds one page, whatever the log's size. */
  async *entries(query: AuditQuery, pageSize = 500): AsyncGenerator<AuditEntry> {
    let before = query.before;
    for (;;) {
      const page = await this.page({ ...query, before }, pageSize);
      yield* page.entries;
      if (page.continuation === undefined) return;
      before = page.continuation;
    }
  }

  private async writeQueued(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    for (let start = 0; start < batch.length; start += writeSlice) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await this.store.audit.insertMany(batch.slice(start, start + writeSlice));
        this.failing = false;
      } catch (error) {
        this.failing = true;
        // Kept for the next flush, ahead of newer entries: an outage delays the log, it does not empty it.
        this.queue = [...batch.slice(start), ...this.queue];
        this.options.onError?.(error, 'could not write the audit log');
        this.retryLater();
        return;
      }
    }
  }

  private writeSliceNow(): void {
    this.sliceWrite = undefined;
    void this.flush();
  }

  private retryLater(): void {
    if (this.closed || this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, this.options.flushMs * 10);
    this.flushTimer.unref();
  }

  /** Ids sort by time, then by this process's sequence; the tag keeps two processes' ids apart. */
  private nextId(timestamp: string): string {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return `${timestamp}.${String(this.sequence).padStart(6, '0')}.${this.processTag}`;
  }
}
