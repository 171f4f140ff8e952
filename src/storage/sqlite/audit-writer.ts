import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { InsertStep } from '../kysely/audit.js';

/**
 * The writer thread's whole program. It is a string evaluated as a CommonJS script, not a module file, so that it
 * loads the same way from src/ (vitest, tsx: no .js file exists there) and from dist/ (the packed CLI); the driver's
 * path comes in workerData because an evaluated script has no location to resolve packages from.
 *
 * It lowers its own thread's priority first (Linux: /proc/thread-self names the thread, and setpriority on a thread id
 * changes that thread only), so that on a busy core the request thread runs before the audit's inserts. Each message,
 * `{id, work}` with statements or with an insert plan and its rows (the rows as one JSON text, parsed here rather than cloned
 * value by value on the request thread), runs in one transaction and is answered `{id, changes}` or `{id, error}`;
 * `null` closes the connection and ends the thread.
 */
const writerProgram = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const thread = require('node:fs').readlinkSync('/proc/thread-self');
  require('node:os').setPriority(Number(thread.slice(thread.lastIndexOf('/') + 1)), workerData.nice);
} catch {}
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
const prepared = new Map();
function statement(sql) {
  let found = prepared.get(sql);
  if (!found) {
    found = db.prepare(sql);
    prepared.set(sql, found);
  }
  return found;
}
function insertAll(inserts, rows) {
  let changes = 0;
  let start = 0;
  for (const { sql, count } of inserts) {
    const params = [];
    for (let index = start; index < start + count; index++) params.push(...rows[index]);
    changes += statement(sql).run(params).changes;
    start += count;
  }
  return changes;
}
const runAll = db.transaction((work) => {
  if (work.rows !== undefined) return insertAll(work.inserts, JSON.parse(work.rows));
  let changes = 0;
  for (const { sql, params } of work.statements) changes += statement(sql).run(params).changes;
  return changes;
});
parentPort.on('message', (message) => {
  if (message === null) {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: message.id, changes: runAll.immediate(message.work) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

/** The writer thread's niceness: the lowest priority, so it only takes CPU the request thread leaves. */
const writerNice = 19;

/** One transaction's work: statements as they are, or inserts of a batch whose rows come as one JSON array text. */
export type WriterWork =
  | { statements: readonly { sql: string; params: readonly unknown[] }[] }
  | { inserts: readonly InsertStep[]; rows: string };

interface Reply {
  id: number;
  changes?: number;
  error?: { message: string; code?: string };
}

interface Pending {
  worker: Worker;
  resolve(changes: number): void;
  reject(error: unknown): void;
}

/**
 * The only writing connection to the audit log's file, on a worker thread: a slow commit (a WAL checkpoint's fsync)
 * then holds that thread, never the request thread. Started at the first write, so commands that only read start
 * no thread; started again after it dies. Errors come back as Errors with SQLite's `code`, for the store's translator.
 */
export class AuditWriter {
  private worker: Worker | undefined;
  private lastId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<number>>();
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly busyTimeoutMs: number,
  ) {}

  /** Runs the work in one transaction on the writer thread; resolves with the rows changed once committed. */
  run(work: WriterWork): Promise<number> {
    if (this.closed) return Promise.reject(new Error('the audit log writer is closed'));
    const worker = this.worker ?? this.start();
    const id = ++this.lastId;
    const done = new Promise<number>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
    });
    // Held while it has work: an unref'd worker may let the process exit (Node's documented rule), and a CLI's last
    // flush must be answered; an idle thread keeps nothing alive.
    if (this.pending.size === 1) worker.ref();
    worker.postMessage({ id, work });
    this.inFlight.add(done);
    const forget = () => this.inFlight.delete(done);
    done.then(forget, forget);
    return done;
  }

  /**
   * Waits for the writes already sent, then has the thread close its connection and end. Not `terminate()`: that
   * leaves the connection open, so the file's last connection to close is not this one and its WAL is never
   * checkpointed away.
   */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    const worker = this.worker;
    if (!worker) return;
    const ended = once(worker, 'exit');
    worker.ref();
    worker.postMessage(null);
    await ended;
  }

  private start(): Worker {
    const worker = new Worker(writerProgram, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: this.file,
        busyTimeoutMs: this.busyTimeoutMs,
        nice: writerNice,
      },
    });
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.fail(worker, error));
    worker.on('exit', (code) => this.fail(worker, new Error(`the audit log writer thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) pending.worker.unref();
    if (reply.error) pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    else pending.resolve(reply.changes ?? 0);
  }

  /** A dead thread fails the writes it held (the audit log keeps and retries them); the next write starts another. */
  private fail(worker: Worker, error: unknown): void {
    if (this.worker === worker) this.worker = undefined;
    for (const [id, pending] of this.pending) {
      if (pending.worker !== worker) continue;
      this.pending.delete(id);
      pending.reject(error);
    }
  }
}
