import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Migration, Migrator, sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type AuditEntry, encodeAuditEntry, encodedAuditBatch } from '../../src/domain/audit.js';
import { AuditLog } from '../../src/services/audit.js';
import { AuditWrites } from '../../src/storage/kysely/audit.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { migrations } from '../../src/storage/migrations/index.js';
import { auditFileFor, openAuditLog } from '../../src/storage/sqlite/audit-log-file.js';
import { AuditWriter } from '../../src/storage/sqlite/audit-writer.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { numberedAuditEntry } from '../support/audit-entries.js';
import { movableClock } from '../support/clock.js';

const dirs: string[] = [];
const stores: KyselyStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function storeFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lapis-audit-file-'));
  dirs.push(dir);
  return join(dir, 'lapis.db');
}

function open(file: string): KyselyStore {
  const store = openSqliteStore(file);
  stores.push(store);
  return store;
}

const entry = (n: number) => numberedAuditEntry(n, 'test');
const entries = (count: number) => Array.from({ length: count }, (_, n) => entry(n));
const everything = async (store: KyselyStore) => (await store.audit.page({}, 100_000)).reverse();
const event = (n: number) =>
  ({
    action: 'admin.action',
    origin: { actor: { userId: null, name: 'ops' }, via: 'cli' },
    operation: 'test.file',
    target: `target ${n}`,
    organizationId: null,
  }) as const;

/** Nice values (field 19 of /proc/.../stat) of this process's threads, by thread id. */
function threadNices(): Map<string, number> {
  const nices = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state is field 3, nice field 19.
    nices.set(tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nices;
}

describe('the SQLite audit log in its own file', () => {
  it('keeps the entries beside the store, in a 0600 file, readable after the writer thread commits', async () => {
    const file = storeFile();
    const store = open(file);
    await store.migrate();
    expect(auditFileFor(file)).toBe(join(file, '..', 'lapis.audit.db'));
    expect(statSync(auditFileFor(file)).mode & 0o777).toBe(0o600);
    await store.audit.insertBatch(encodedAuditBatch(entries(293).map(encodeAuditEntry)));
    expect(statSync(`${auditFileFor(file)}-wal`).mode & 0o777).toBe(0o600);
    expect(await everything(store)).toEqual(entries(293));
    // Not in the store's file: the store's table is gone, and no other file is attached to its connection.
    const tables = await sql`select name from sqlite_master where name = 'audit_log'`.execute(store.kysely);
    expect(tables.rows).toEqual([]);
    const attached = await sql<{ name: string }>`select name from pragma_database_list where name <> 'temp'`.execute(
      store.kysely,
    );
    expect(attached.rows.map((row) => row.name)).toEqual(['main']);
    expect(await store.audit.deleteBefore(entry(100).timestamp)).toBe(100);
    expect(await everything(store)).toEqual(entries(293).slice(100));
  });

  it('waits at close for the writes already sent', async () => {
    const file = storeFile();
    const store = openSqliteStore(file);
    await store.migrate();
    const written = store.audit.insertBatch(encodedAuditBatch(entries(2_000).map(encodeAuditEntry)));
    await store.close();
    await expect(written).resolves.toBeUndefined();
    // Both connections closed: the last one checkpointed the log and removed it.
    expect(existsSync(`${auditFileFor(file)}-wal`)).toBe(false);
    expect(await everything(open(file))).toHaveLength(2_000);
  });

  it('loses nothing recorded before a clean stop', async () => {
    const file = storeFile();
    const store = openSqliteStore(file);
    await store.migrate();
    const audit = new AuditLog(store, movableClock(), { flushMs: 60_000, retentionDays: 90 });
    for (let n = 0; n < 500; n++) audit.record(event(n));
    await audit.close();
    await store.close();
    const back = await everything(open(file));
    expect(back.map((e) => e.data.target)).toEqual(Array.from({ length: 500 }, (_, n) => `target ${n}`));
  });

  it.skipIf(process.platform !== 'linux')(
    'starts the writer thread at the first write (not for a prune with nothing to delete), at the lowest CPU priority, leaving the calling thread as it was',
    async () => {
      const store = open(storeFile());
      await store.migrate();
      const before = threadNices();
      await store.audit.page({}, 10);
      expect(await store.audit.deleteBefore(entry(0).timestamp)).toBe(0);
      // New thread ids, not a count: a thread of an earlier file's (the worker process is shared) may end meanwhile.
      const startedSince = (now: Map<string, number>) => [...now].filter(([tid]) => !before.has(tid));
      expect(startedSince(threadNices()), 'reading, or a prune with nothing to delete, starts no thread').toEqual([]);
      await store.audit.insertBatch(encodedAuditBatch(entries(1).map(encodeAuditEntry)));
      const after = threadNices();
      const started = startedSince(after);
      expect(started.map(([, nice]) => nice)).toContain(19);
      const self = readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0] ?? '';
      expect(after.get(self)).toBe(before.get(self));
      expect(after.get(self)).not.toBe(19);
    },
  );

  it('fails the writes of a writer thread that died, and starts another at the next write', async () => {
    const file = auditFileFor(storeFile());
    // Planned by a store in memory: only the SQL texts and the rows' JSON go to the thread.
    const statements = new AuditWrites(open(':memory:').kysely);
    const inserts = (count: number) => ({
      inserts: statements.insertPlan(count),
      rows: encodedAuditBatch(entries(count).map(encodeAuditEntry)).json,
    });
    const writer = new AuditWriter(file, 1000);
    try {
      // No file yet: the thread cannot open it and stops with an error.
      await expect(writer.run(inserts(2))).rejects.toThrow();
      const log = openAuditLog(file.replace(/\.audit\.db$/, '.db'), 1000);
      try {
        expect(await writer.run(inserts(2))).toBe(2);
        expect(await log.repository.page({}, 10)).toHaveLength(2);
      } finally {
        await log.close();
      }
    } finally {
      await writer.close();
    }
    expect(existsSync(file)).toBe(true);
  });
});

describe('migration 020 from the layout with the audit log in the store file', () => {
  async function migrateBefore020(store: KyselyStore): Promise<void> {
    const earlier = migrations.filter((migration) => migration.name < '020');
    const provider = {
      async getMigrations() {
        return Object.fromEntries(
          earlier.map((migration): [string, Migration] => [migration.name, { up: (db) => migration.up(db, 'sqlite') }]),
        );
      },
    };
    const { error } = await new Migrator({ db: store.kysely, provider }).migrateToLatest();
    if (error) throw error;
  }

  const oldRow = (e: AuditEntry) => ({
    id: e.id,
    timestamp: e.timestamp,
    organization_id: e.organizationId,
    action: e.action,
    actor_id: e.actorId,
    actor_name: e.actorName,
    via: e.via,
    ip_address: e.ipAddress,
    details: e.details,
    data: JSON.stringify(e.data),
  });

  it('moves the rows to the audit file and drops the old table, also when run again after a crash half-way', async () => {
    const file = storeFile();
    const store = open(file);
    await migrateBefore020(store);
    await store.kysely.insertInto('audit_log').values(entries(300).map(oldRow)).execute();
    // A first run that crashed after copying part of the rows: the copy skips them.
    await store.audit.insertBatch(encodedAuditBatch(entries(120).map(encodeAuditEntry)));
    expect(await store.migrate()).toEqual({ applied: ['020-audit-log-own-file'] });
    expect(await everything(store)).toEqual(entries(300));
    const tables = await sql`select name from sqlite_master where name like 'audit_log%'`.execute(store.kysely);
    expect(tables.rows).toEqual([]);
    const attached = await sql<{ name: string }>`select name from pragma_database_list where name <> 'temp'`.execute(
      store.kysely,
    );
    expect(attached.rows.map((row) => row.name)).toEqual(['main']);
  });
});
