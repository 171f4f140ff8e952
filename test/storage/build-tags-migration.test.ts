import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, Migrator } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRow } from '../../src/storage/kysely/builds.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { migrations } from '../../src/storage/migrations/index.js';
import { openPostgresStore } from '../../src/storage/postgres/open.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { movableClock } from '../support/clock.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { seedWorld } from '../support/world.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function unmigrated(kind: 'sqlite' | 'postgres'): { store: KyselyStore; schema?: string } {
  if (kind === 'postgres') {
    const schema = uniqueSchema();
    return { store: openPostgresStore({ url: postgresUrl, schema, poolSize: 2 }), schema };
  }
  const dir = mkdtempSync(join(tmpdir(), 'lapis-migrate-'));
  dirs.push(dir);
  return { store: openSqliteStore(join(dir, 'lapis.db')) };
}

// biome-ignore lint/suspicious/noExplicitAny: the database as migration 004 left it, before the typed schema.
async function migrateTo004(db: Kysely<any>, kind: 'sqlite' | 'postgres', schema?: string): Promise<void> {
  if (schema) await db.schema.createSchema(schema).ifNotExists().execute();
  const provider = {
    async getMigrations() {
      return Object.fromEntries(migrations.map((m) => [m.name, { up: (trx: typeof db) => m.up(trx, kind) }]));
    },
  };
  const { error } = await new Migrator({ db, provider, ...(schema && { migrationTableSchema: schema }) }).migrateTo('004-oauth');
  if (error) throw error;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !postgresAvailable)(`migration 005 on ${kind}`, () => {
    it("moves each build's JSON tags into build_tags, once per tag in any case", async () => {
      const { store, schema } = unmigrated(kind);
      try {
        await migrateTo004(store.kysely, kind, schema);
        const world = await seedWorld(store, movableClock());
        const project = await world.services.projects.add(world.contoso.id, { name: 'web' });
        await world.services.definitions.create(project, world.alice, { name: 'ci' });
        const rows = [['Release', 'release', 'QA'], [], ['only']].map((tags, i) => ({
          ...buildRow({
            organizationId: world.contoso.id,
            id: i + 1,
            projectId: project.id,
            definitionId: 1,
            definitionRevision: 1,
            buildNumber: `b${i}`,
            buildNumberRevision: null,
            status: 'notStarted',
            result: null,
            reason: 'manual',
            priority: 'normal',
            queueTime: '2026-01-01T00:00:00.000Z',
            startTime: null,
            finishTime: null,
            sourceBranch: 'refs/heads/main',
            sourceVersion: '',
            requestedForId: world.alice.id,
            requestedById: world.alice.id,
            lastChangedById: world.alice.id,
            lastChangedDate: '2026-01-01T00:00:00.000Z',
            tags: [],
            parameters: null,
            templateParameters: {},
            triggerInfo: {},
            retainedByRelease: false,
            keepForever: false,
            deleted: false,
            deletedDate: null,
            deletedById: null,
          }),
          tags: JSON.stringify(tags),
        }));
        // biome-ignore lint/suspicious/noExplicitAny: the old column is gone from the typed schema.
        await (store.kysely as Kysely<any>).insertInto('builds').values(rows).execute();

        expect((await store.migrate()).applied).toEqual(['005-build-tags']);
        expect((await store.builds.find(world.contoso.id, 1))?.tags).toEqual(['QA', 'Release']);
        expect((await store.builds.find(world.contoso.id, 2))?.tags).toEqual([]);
        expect(await store.buildTags.inProject(world.contoso.id, project.id)).toEqual(['only', 'QA', 'Release']);
      } finally {
        await store.close();
      }
    });
  });
}
