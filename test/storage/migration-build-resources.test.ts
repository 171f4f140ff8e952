import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, type Migration, Migrator } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { migrations } from '../../src/storage/migrations/index.js';
import { openPostgresStore } from '../../src/storage/postgres/open.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

const at = '2026-11-01T00:00:00.000Z';
const settings = {
  repository: { id: 'A1B2', type: 'TfsGit', name: 'web' },
  queue: { id: 12, name: 'linux' },
  variables: { plain: { value: 'visible' }, token: { value: 'old-s3cret', isSecret: true } },
};

const dirs: string[] = [];
const stores: KyselyStore[] = [];
const unmigrated = [
  {
    name: 'sqlite',
    available: true,
    open: () => {
      const dir = mkdtempSync(join(tmpdir(), 'lapis-migration-'));
      dirs.push(dir);
      return { store: openSqliteStore(join(dir, 'lapis.db')), schema: undefined };
    },
  },
  {
    name: 'postgres',
    available: postgresAvailable,
    open: () => {
      const schema = uniqueSchema();
      return { store: openPostgresStore({ url: postgresUrl, schema, poolSize: 2 }), schema };
    },
  },
];

/** Applies the migrations before 008, as a database written by an earlier Lapis would be. */
async function migrateBefore008(db: Kysely<never>, kind: 'sqlite' | 'postgres', schema: string | undefined) {
  if (schema) await db.schema.createSchema(schema).ifNotExists().execute();
  const earlier = migrations.filter((migration) => migration.name < '008');
  const provider = {
    getMigrations: async () =>
      Object.fromEntries(earlier.map((m): [string, Migration] => [m.name, { up: (kysely) => m.up(kysely, kind) }])),
  };
  const { error } = await new Migrator({ db, provider, ...(schema && { migrationTableSchema: schema }) }).migrateToLatest();
  expect(error).toBeUndefined();
}

afterAll(async () => {
  for (const store of stores) await store.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

for (const backend of unmigrated) {
  describe.skipIf(!backend.available)(`migration 008 on ${backend.name}`, () => {
    it('erases secret variable values stored before it and fills the repository and queue columns', async () => {
      const { store, schema } = backend.open();
      stores.push(store);
      const db = store.kysely;
      await migrateBefore008(db as never, store.kind, schema);
      await db
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
          created_at: at,
        })
        .execute();
      await db
        .insertInto('organizations')
        .values({ id: 'o1', name: 'contoso', name_key: 'contoso', owner_id: 'u1', created_at: at })
        .execute();
      await db
        .insertInto('projects')
        .values({
          id: 'p1',
          organization_id: 'o1',
          name: 'web',
          name_key: 'web',
          description: '',
          visibility: 'private',
          state: 'wellFormed',
          revision: 1,
          last_update_time: at,
          source_control_type: 'Git',
          process_template_id: 'x',
        })
        .execute();
      const columns = {
        organization_id: 'o1',
        id: 1,
        project_id: 'p1',
        name: 'ci',
        name_key: 'ci',
        path: '\\',
        path_key: '\\',
        revision: 1,
        queue_status: 'enabled',
        build_number_format: 'x',
        created_date: at,
        modified_date: at,
        authored_by: 'u1',
        deleted: 0,
        settings: JSON.stringify(settings),
      };
      // Written as the 003-era table had it: without the columns 008 adds.
      await db
        .insertInto('build_definitions')
        .values(columns as never)
        .execute();
      await db
        .insertInto('build_definition_revisions')
        .values({ organization_id: 'o1', definition_id: 1, revision: 1, snapshot: JSON.stringify({ id: 1, settings }) })
        .execute();

      expect((await store.migrate()).applied).toContain('008-build-resources');

      const row = await db.selectFrom('build_definitions').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ repository_id: 'a1b2', repository_type: 'tfsgit', queue_id: '12' });
      const revision = await db.selectFrom('build_definition_revisions').select('snapshot').executeTakeFirstOrThrow();
      for (const text of [row.settings, revision.snapshot]) {
        expect(text).not.toContain('old-s3cret');
        expect(text).toContain('visible');
      }
      expect(JSON.parse(row.settings).variables.token).toEqual({ value: null, isSecret: true });
    });
  });
}
