import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditEvent } from '../../src/domain/audit.js';
import { systemClock } from '../../src/domain/clock.js';
import { AuditLog } from '../../src/services/audit.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { DuplicateKeyError } from '../../src/storage/ports.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { tempDataDir } from '../support/app.js';

const recorder = fileURLToPath(new URL('../fixtures/audit-recorder.mjs', import.meta.url));

const event = (n: number): AuditEvent => ({
  action: 'admin.action',
  origin: { actor: { userId: null, name: 'ops' }, via: 'cli' },
  operation: 'test.write',
  target: `target ${n}`,
  organizationId: null,
});

/** Rows written through this store's own connection since it opened: the writer thread's rows are not among them. */
async function ownChanges(store: KyselyStore): Promise<number> {
  const { rows } = await sql<{ n: number }>`select total_changes() as n`.execute(store.kysely);
  return rows[0]?.n ?? -1;
}

async function migratedFile(): Promise<string> {
  const file = join(tempDataDir(), 'lapis.db');
  const store = openSqliteStore(file);
  await store.migrate();
  await store.close();
  return file;
}

/** Starts the recorder process on the file and waits until its writer thread has written batches. */
async function startRecorder(file: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [recorder, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  while (!output.includes('recording')) {
    if (child.exitCode !== null) throw new Error(`the recorder exited: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, output: () => output };
}

describe('SQLite audit writer thread', () => {
  const opened: KyselyStore[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('writes batches on its own connection, whole or not at all, readable here as soon as a flush returns', async () => {
    const store = openSqliteStore(await migratedFile(), { auditThread: true });
    opened.push(store);
    const audit = new AuditLog(store, systemClock, { flushMs: 60_000, retentionDays: 90 });
    const before = await ownChanges(store);
    // 293 = 256 + 32 + 4 + 1: one statement of each size the thread cuts a batch into.
    for (let n = 0; n < 293; n++) audit.record(event(n));
    const page = await audit.page({}, 500);
    expect(page.entries.map((entry) => entry.data.target)).toEqual(Array.from({ length: 293 }, (_, n) => `target ${292 - n}`));
    expect(await ownChanges(store)).toBe(before);

    const written = page.entries.at(-1) as AuditEntry;
    const fresh = { ...written, id: `${written.id}.fresh` };
    await expect(store.audit.insertMany([fresh, written])).rejects.toBeInstanceOf(DuplicateKeyError);
    expect((await store.audit.page({}, 500)).length).toBe(293);
    await audit.close();
  });

  it('loses nothing at a clean stop of the recording process', async () => {
    const file = await migratedFile();
    const { child, output } = await startRecorder(file);
    children.push(child);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    const recorded = Number(/recorded (\d+)/.exec(output())?.[1]);
    expect(recorded).toBeGreaterThanOrEqual(5_000);
    const db = new Sqlite(file, { readonly: true });
    expect(db.prepare('select count(*) as n from audit_log').get()).toEqual({ n: recorded });
    db.close();
  });

  it('leaves a sound file that opens and takes writes again when the process is killed while the thread writes', async () => {
    const file = await migratedFile();
    const { child } = await startRecorder(file);
    children.push(child);
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
    child.kill('SIGKILL');
    await once(child, 'exit');
    const db = new Sqlite(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare('select data from audit_log').all() as { data: string }[];
    db.close();
    expect(rows.length).toBeGreaterThanOrEqual(5_000);
    expect(rows.every((row) => (JSON.parse(row.data) as { operation?: string }).operation === 'test.record')).toBe(true);

    const store = openSqliteStore(file, { auditThread: true });
    opened.push(store);
    const audit = new AuditLog(store, systemClock, { flushMs: 60_000, retentionDays: 90 });
    audit.record(event(0));
    await audit.close();
    expect((await store.audit.page({}, rows.length + 10)).length).toBe(rows.length + 1);
  });
});
