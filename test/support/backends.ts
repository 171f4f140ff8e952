import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { openPostgresStore } from '../../src/storage/postgres/open.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from './postgres.js';

export interface Backend {
  name: 'sqlite' | 'postgres';
  available: boolean;
  /** A fresh, migrated, empty store. */
  open(): Promise<KyselyStore>;
  /** Closes every store this backend opened; SQLite files are removed now, PostgreSQL schemas after the run. */
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dirs: string[] = [];
  const stores: KyselyStore[] = [];
  return {
    name: 'sqlite',
    available: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'lapis-test-'));
      dirs.push(dir);
      const store = openSqliteStore(join(dir, 'lapis.db'));
      stores.push(store);
      await store.migrate();
      return store;
    },
    async cleanup() {
      for (const store of stores.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(): Backend {
  const stores: KyselyStore[] = [];
  return {
    name: 'postgres',
    available: postgresAvailable,
    async open() {
      const store = openPostgresStore({ url: postgresUrl, schema: uniqueSchema(), poolSize: 4 });
      stores.push(store);
      await store.migrate();
      return store;
    },
    async cleanup() {
      for (const store of stores.splice(0)) await store.close();
    },
  };
}

/** Stores opened by a test or its `beforeEach`; closed once the test and its own `afterEach` hooks are done. */
const openedInTest: KyselyStore[] = [];
let inTest = false;

/**
 * Registers, once per test file, hooks that close every store a test opened as soon as that test is over. A file
 * that opens a store per test would otherwise hold each one's PostgreSQL connections (its pool and its LISTEN
 * connection) until the file ends: one such file of 50 tests held 50 connections, and two files at once reached
 * PostgreSQL's limit of 100. Stores opened in `beforeAll` stay open for the file, as before.
 */
function closeStoresAfterEachTest(): void {
  // File-level hooks: this beforeEach runs before a describe's own, this afterEach after them.
  beforeEach(() => {
    inTest = true;
  });
  afterEach(async () => {
    inTest = false;
    for (const store of openedInTest.splice(0)) await store.close();
  });
}

function tracked(backend: Backend): Backend {
  return {
    ...backend,
    async open() {
      const store = await backend.open();
      if (inTest) openedInTest.push(store);
      return store;
    },
  };
}

/** Both backends; suites use `describe.skipIf(!backend.available)` so a missing PostgreSQL shows as skipped. */
export function backends(): Backend[] {
  closeStoresAfterEachTest();
  return [tracked(sqliteBackend()), tracked(postgresBackend())];
}

/** A second, independent connection to the same database: it stands for another process or instance. */
export function openSecondConnection(store: KyselyStore): KyselyStore {
  if (store.kind === 'sqlite') return openSqliteStore(store.location);
  return openPostgresStore({ url: postgresUrl, schema: /schema (\w+)/.exec(store.location)?.[1] ?? '' });
}
