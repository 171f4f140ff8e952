import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Migration, Migrator } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import type { Dialect } from '../../src/storage/migrations/dialect.js';
import { migrations } from '../../src/storage/migrations/index.js';
import { openPostgresStore } from '../../src/storage/postgres/open.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

/** Brings a store to the schema just before migration 009, as a database made by an earlier Lapis. */
async function migrateBefore009(store: KyselyStore, dialect: Dialect, schema?: string): Promise<void> {
  if (schema) await store.kysely.schema.createSchema(schema).ifNotExists().execute();
  const earlier = migrations.filter((migration) => migration.name < '009');
  const provider = {
    async getMigrations() {
      return Object.fromEntries(
        earlier.map((migration): [string, Migration] => [migration.name, { up: (db) => migration.up(db, dialect) }]),
      );
    },
  };
  const { error } = await new Migrator({
    db: store.kysely,
    provider,
    ...(schema && { migrationTableSchema: schema }),
  }).migrateToLatest();
  if (error) throw error;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const backends = [
  {
    name: 'sqlite',
    available: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'lapis-migration-'));
      dirs.push(dir);
      const store = openSqliteStore(join(dir, 'lapis.db'));
      await migrateBefore009(store, 'sqlite');
      return store;
    },
  },
  {
    name: 'postgres',
    available: postgresAvailable,
    async open() {
      const schema = uniqueSchema();
      const store = openPostgresStore({ url: postgresUrl, schema, poolSize: 2 });
      await migrateBefore009(store, 'postgres', schema);
      return store;
    },
  },
] as const;

for (const backend of backends) {
  describe.skipIf(!backend.available)(`migration 009 on ${backend.name}`, () => {
    it('gives every existing project its default team, named as Azure DevOps names it', async () => {
      const store = await backend.open();
      try {
        const now = '2026-01-02T03:04:05.000Z';
        await store.kysely
          .insertInto('users')
          .values({
            id: 'u1',
            username: 'alice',
            username_key: 'alice',
            display_name: 'Alice',
            email: null,
            password_hash: null,
            is_admin: 0,
            disabled_at: null,
            created_at: now,
          })
          .execute();
        await store.kysely
          .insertInto('organizations')
          .values({ id: 'o1', name: 'contoso', name_key: 'contoso', owner_id: 'u1', created_at: now })
          .execute();
        await store.kysely
          .insertInto('projects')
          .values({
            id: 'p1',
            organization_id: 'o1',
            name: 'Web',
            name_key: 'web',
            description: '',
            visibility: 'private',
            state: 'wellFormed',
            revision: 1,
            last_update_time: now,
            source_control_type: 'Git',
            process_template_id: 'adcc42ab-9882-485e-a3ed-7678f01f66bc',
          })
          .execute();
        expect((await store.migrate()).applied).toContain('009-teams-and-project-properties');
        const team = await store.teams.findDefault('p1');
        expect(team).toMatchObject({ name: 'Web Team', isDefault: true, organizationId: 'o1', createdAt: now });
        expect(team?.id).toMatch(/^[0-9a-f-]{36}$/);
        await store.projectProperties.set('p1', { name: 'Alias', value: { short: 'w' } });
        await store.projectProperties.set('p1', { name: 'ALIAS', value: 'www' });
        expect(await store.projectProperties.list('p1')).toEqual([{ name: 'ALIAS', value: 'www' }]);
        expect(await store.projectProperties.remove('p1', 'alias')).toBe(true);
        expect(await store.projectProperties.remove('p1', 'alias')).toBe(false);
      } finally {
        await store.close();
      }
    });
  });
}
