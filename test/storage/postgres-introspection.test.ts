import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { openPostgresStore } from '../../src/storage/postgres/open.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

const stores: KyselyStore[] = [];
afterAll(async () => {
  for (const store of stores) await store.close();
});

function open(options: { url?: string; schema?: string }): KyselyStore {
  const store = openPostgresStore({
    url: options.url ?? postgresUrl,
    poolSize: 2,
    ...(options.schema && { schema: options.schema }),
  });
  stores.push(store);
  return store;
}

describe.skipIf(!postgresAvailable)('PostgreSQL introspection confined to the store schema', () => {
  it("lists the store schema's tables with their columns, and none of another schema's", async () => {
    const other = uniqueSchema();
    await open({ schema: other }).migrate();
    const schema = uniqueSchema();
    const store = open({ schema });
    await store.migrate();

    const tables = await store.kysely.introspection.getTables();
    expect(new Set(tables.map((table) => table.schema))).toEqual(new Set([schema]));
    const names = tables.map((table) => table.name);
    expect(names).toContain('personal_access_tokens');
    expect(names).not.toContain('kysely_migration');
    const users = tables.find((table) => table.name === 'users');
    expect(users?.columns.find((column) => column.name === 'username')).toMatchObject({
      dataType: 'text',
      isNullable: false,
      isAutoIncrementing: false,
    });
    const internal = await store.kysely.introspection.getTables({ withInternalKyselyTables: true });
    expect(internal.map((table) => table.name)).toContain('kysely_migration');
  });

  it("migrates the connection's current schema although another schema already holds a migration table", async () => {
    await open({ schema: uniqueSchema() }).migrate();
    const schema = uniqueSchema();
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    try {
      await admin.query(`create schema "${schema}"`);
    } finally {
      await admin.end();
    }
    const url = new URL(postgresUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const store = open({ url: url.toString() });

    expect((await store.migrate()).applied).toContain('001-foundation');
    expect(await store.initialized()).toBe(true);
    expect((await store.migrate()).applied).toEqual([]);
  });
});
