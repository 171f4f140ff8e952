import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AuditEntry } from '../../domain/audit.js';
import { type AuditRow, auditRow } from '../kysely/audit-rows.js';
import { StorageUnavailableError } from '../ports.js';

export interface WriterData {
  file: string;
}

export interface WriteRequest {
  id: number;
  rows: AuditRow[];
}

export interface WriteAnswer {
  id: number;
  error?: { message: string; code: string | undefined };
}

interface Pending {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The thread's script: the compiled file beside this one, or, running from source (tsx, Vitest), the TypeScript file
 * loaded through tsx's require hook (Node 20 does not pass `--import` loaders on to worker threads).
 */
function startThread(data: WriterData): Worker {
  const compiled = fileURLToPath(new URL('./audit-writer-thread.js', import.meta.url));
  if (existsSync(compiled)) return new Worker(compiled, { workerData: data });
  const source = fileURLToPath(new URL('./audit-writer-thread.ts', import.meta.url));
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, { eval: true, workerData: data });
}

/**
 * Writes audit batches on a thread of its own with its own connection to the same WAL file, so a batch's inserts
 * never hold the request thread (the request thread only turns entries into rows and posts them). The thread starts
 * with the first batch. Writes are answered in order; `close` waits for the ones posted before it. If the thread
 * dies, the batches it held fail (AuditLog keeps them) and later ones are written by `inline`, on this thread.
 */
export class SqliteAuditWriter {
  private thread: Worker | undefined;
  private stopped = false;
  private readonly pending = new Map<number, Pending>();
  private lastId = 0;

  constructor(
    private readonly file: string,
    private readonly inline: (entries: readonly AuditEntry[]) => Promise<void>,
  ) {}

  insertMany(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const thread = this.running();
    if (!thread) return this.inline(entries);
    const id = ++this.lastId;
    const written = new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    // Held while a batch is out, so a process awaiting its answer does not exit; idle, the thread keeps nothing alive.
    thread.ref();
    thread.postMessage({ id, rows: entries.map(auditRow) } satisfies WriteRequest);
    return written;
  }

  /** Waits for the batches already posted, then closes the thread's connection and ends it. */
  async close(): Promise<void> {
    this.stopped = true;
    const thread = this.thread;
    this.thread = undefined;
    if (!thread) return;
    const exited = new Promise((resolve) => thread.once('exit', resolve));
    thread.ref();
    thread.postMessage('close');
    await exited;
  }

  private running(): Worker | undefined {
    if (this.stopped) return undefined;
    if (this.thread) return this.thread;
    const thread = startThread({ file: this.file });
    thread.unref();
    thread.on('message', (answer: WriteAnswer) => this.answered(answer));
    thread.on('error', (error) => this.lost(thread, error));
    thread.on('exit', (code) => this.lost(thread, new Error(`the audit writer thread exited with code ${code}`)));
    this.thread = thread;
    return thread;
  }

  private answered(answer: WriteAnswer): void {
    const pending = this.pending.get(answer.id);
    this.pending.delete(answer.id);
    if (this.pending.size === 0) this.thread?.unref();
    if (!answer.error) pending?.resolve();
    else pending?.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
  }

  /** The thread ended without being asked: what it held failed, and from now on batches are written inline. */
  private lost(thread: Worker, cause: unknown): void {
    if (this.thread !== thread) return;
    this.thread = undefined;
    this.stopped = true;
    for (const pending of this.pending.values()) {
      pending.reject(new StorageUnavailableError(`audit writer thread stopped: ${(cause as Error).message}`));
    }
    this.pending.clear();
  }
}
