import { randomBytes } from 'node:crypto';
import {
  type AuditEntry,
  type AuditEvent,
  type AuditQuery,
  auditEntry,
  type EncodedAuditBatch,
  type EncodedAuditEntry,
  encodeAuditEntry,
  encodedAuditBatch,
} from '../domain/audit.js';
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
  /**
   * Events recorded in this turn of the event loop and their times, made entries once the turn's answers are sent:
   * a request that records pays for two pushes. Events are values, not changed after they are recorded.
   */
  private recordedEvents: AuditEvent[] = [];
  private recordedAt: Date[] = [];
  private entriesSoon: NodeJS.Immediate | undefined;
  private isoSecond = Number.NaN;
  private isoSecondText = '';
  /** Entries not yet cut into slices, one string each. */
  private filling: EncodedAuditEntry[] = [];
  /** Full slices waiting for the store, one string each (domain/audit.ts), oldest first. */
  private sealed: EncodedAuditBatch[] = [];
  private sealedEntries = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private sequence = 0;
  private readonly processTag = randomBytes(3).toString('hex');
  private closed = false;
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
    this.recordedEvents.push(event);
    this.recordedAt.push(this.clock.now());
    if (this.closed) {
      void this.flush();
      return;
    }
    this.entriesSoon ??= setImmediate(() => this.makeEntries());
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        void this.flush();
      }, this.options.flushMs);
      this.flushTimer.unref();
    }
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
    this.encodeRecorded();
    this.seal();
    const batches = this.sealed;
    this.sealed = [];
    this.sealedEntries = 0;
    for (const [index, batch] of batches.entries()) {
      if (index > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await this.store.audit.insertBatch(batch);
        this.failing = false;
      } catch (error) {
        this.failing = true;
        // Kept for the next flush, ahead of newer entries: an outage delays the log, it does not empty it.
        const unwritten = batches.slice(index);
        this.sealed = [...unwritten, ...this.sealed];
        for (const kept of unwritten) this.sealedEntries += kept.count;
        this.options.onError?.(error, 'could not write the audit log');
        this.retryLater();
        return;
      }
    }
  }

  /**
   * After the turn that recorded them: a full slice is sealed, and written unless writes fail (then the retry timer
   * paces the attempts).
   */
  private makeEntries(): void {
    this.encodeRecorded();
    if (this.filling.length < writeSlice) return;
    this.seal();
    if (!this.failing) void this.flush();
  }

  private encodeRecorded(): void {
    if (this.entriesSoon) clearImmediate(this.entriesSoon);
    this.entriesSoon = undefined;
    const events = this.recordedEvents;
    const times = this.recordedAt;
    if (events.length === 0) return;
    this.recordedEvents = [];
    this.recordedAt = [];
    for (const [index, event] of events.entries()) {
      const timestamp = this.isoTimestamp(times[index] as Date);
      // Outside any request now: an event that cannot be made an entry is reported, never thrown into the event loop.
      try {
        this.filling.push(encodeAuditEntry(auditEntry(event, this.nextId(timestamp), timestamp)));
      } catch (error) {
        this.options.onError?.(error, 'could not make an audit entry');
      }
    }
    this.dropBeyond(this.options.maxQueued ?? 100_000);
  }

  /** Cuts what is being filled into slices of `writeSlice`, each one string. */
  private seal(): void {
    for (let start = 0; start < this.filling.length; start += writeSlice) {
      this.sealed.push(encodedAuditBatch(this.filling.slice(start, start + writeSlice)));
    }
    this.sealedEntries += this.filling.length;
    this.filling = [];
  }

  /** Beyond `max` waiting entries (the store unreachable for long), the oldest are dropped, and reported. */
  private dropBeyond(max: number): void {
    let excess = this.sealedEntries + this.filling.length - max;
    if (excess <= 0) return;
    let dropped = 0;
    while (excess > 0 && this.sealed.length > 0) {
      const oldest = this.sealed.shift() as EncodedAuditBatch;
      this.sealedEntries -= oldest.count;
      dropped += oldest.count;
      excess -= oldest.count;
    }
    if (excess > 0) dropped += this.filling.splice(0, excess).length;
    this.options.onError?.(new Error(`${dropped} audit entries dropped`), 'audit queue full');
  }

  private retryLater(): void {
    if (this.closed || this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, this.options.flushMs * 10);
    this.flushTimer.unref();
  }

  /**
   * `toISOString`, its second reused: on Node 20 every call asks ICU for the local time offset (a fifth of making an
   * entry, under perf), although the text is UTC.
   */
  private isoTimestamp(date: Date): string {
    const ms = date.getTime();
    const second = Math.floor(ms / 1000);
    if (second !== this.isoSecond) {
      this.isoSecond = second;
      this.isoSecondText = date.toISOString().slice(0, 19);
    }
    return `${this.isoSecondText}.${String(ms - second * 1000).padStart(3, '0')}Z`;
  }

  /** Ids sort by time, then by this process's sequence; the tag keeps two processes' ids apart. */
  private nextId(timestamp: string): string {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return `${timestamp}.${String(this.sequence).padStart(6, '0')}.${this.processTag}`;
  }
}
