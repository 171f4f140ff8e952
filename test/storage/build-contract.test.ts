import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type BuildQuery, parseBuildQuery } from '../../src/domain/build-query.js';
import type { Build } from '../../src/domain/builds.js';
import { buildRow } from '../../src/storage/kysely/builds.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { backends } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { seedWorld, type World } from '../support/world.js';

/** The build part of the storage contract: both backends give the same answer to the same input, odd ones included. */
for (const backend of backends()) {
  describe.skipIf(!backend.available)(`build storage contract on ${backend.name}`, () => {
    let store: KyselyStore;
    let world: World;
    let projectId: string;
    afterAll(() => backend.cleanup());

    const build = (id: number, overrides: Partial<Build> = {}): Build => ({
      organizationId: world.contoso.id,
      id,
      projectId,
      definitionId: 1,
      definitionRevision: 1,
      buildNumber: `b${id}`,
      buildNumberRevision: null,
      status: 'completed',
      result: 'succeeded',
      reason: 'manual',
      priority: 'normal',
      queueTime: `2026-01-0${id}T00:00:00.000Z`,
      startTime: `2026-01-0${id}T00:01:00.000Z`,
      finishTime: `2026-01-0${id}T00:02:00.000Z`,
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
      demands: [],
      ...overrides,
    });
    const list = (query: BuildQuery) => store.builds.list({ organizationId: world.contoso.id, query, limit: 100 });
    const ids = async (query: BuildQuery) => (await list(query)).map((b) => b.id);

    beforeEach(async () => {
      store = await backend.open();
      world = await seedWorld(store, movableClock());
      const project = await world.services.projects.add(world.contoso.id, { name: 'web' });
      projectId = project.id;
      await world.services.definitions.create(project, world.alice, { name: 'ci' });
      for (const id of [1, 2, 3]) await store.builds.insert(build(id));
    });

    it('matches nothing for an empty status, result or reason list (statusFilter=none, resultFilter=1, reasonFilter=none)', async () => {
      for (const raw of [{ statusFilter: 'none' }, { resultFilter: '1' }, { reasonFilter: 'none' }]) {
        expect(await ids(parseBuildQuery(raw))).toEqual([]);
      }
      const base = parseBuildQuery({});
      for (const empty of [{ statuses: [] }, { results: [] }, { reasons: [] }, { buildIds: [] }, { definitionIds: [] }]) {
        expect(await ids({ ...base, ...empty })).toEqual([]);
      }
    });

    it('finds no build for ids beyond 32 bits, in lookups, id lists and cursors', async () => {
      expect(await store.builds.find(world.contoso.id, 2 ** 31)).toBeUndefined();
      expect(await store.builds.find(world.contoso.id, 2 ** 53)).toBeUndefined();
      const base = parseBuildQuery({});
      expect(await ids({ ...base, buildIds: [2 ** 31, 2] })).toEqual([2]);
      expect(await ids({ ...base, definitionIds: [2 ** 31] })).toEqual([]);
      const cursor = { time: '2026-01-02T00:02:00.000Z', id: 2 ** 31 };
      expect(await ids({ ...base, cursor })).toEqual([2, 1]);
      expect(await ids({ ...base, cursor: { ...cursor, id: -(2 ** 40) } })).toEqual([1]);
    });

    it('stores tags apart, case-insensitively, sorted, and filters builds by all the tags asked', async () => {
      const org = world.contoso.id;
      await store.builds.insert(build(4, { tags: ['Zeta', 'alpha', 'ZETA'] }));
      expect((await store.builds.find(org, 4))?.tags).toEqual(['alpha', 'Zeta']);
      await store.buildTags.add(org, 1, ['zeta', 'Beta']);
      await store.buildTags.add(org, 1, ['BETA']);
      expect(await store.buildTags.ofBuild(org, 1)).toEqual(['Beta', 'zeta']);
      const base = parseBuildQuery({});
      expect(await ids({ ...base, tags: ['ZETA'] })).toEqual([4, 1]);
      expect(await ids({ ...base, tags: ['zeta', 'beta'] })).toEqual([1]);
      expect(await ids({ ...base, tags: ['zeta', 'nothing'] })).toEqual([]);
      expect((await list({ ...base, tags: ['beta'] }))[0]?.tags).toEqual(['Beta', 'zeta']);
      expect(await store.buildTags.inProject(org, projectId)).toEqual(['alpha', 'Beta', 'Zeta']);
      await store.buildTags.remove(org, 1, ['BETA', 'absent']);
      expect(await store.buildTags.ofBuild(org, 1)).toEqual(['zeta']);
      await store.buildTags.removeFromProject(org, projectId, 'Zeta');
      expect(await store.buildTags.inProject(org, projectId)).toEqual(['alpha']);
      expect(await store.buildTags.ofBuild(org, 2 ** 31)).toEqual([]);
    });

    it('reads a page longer than one statement in keyset slices that neither skip nor repeat builds sharing a time', async () => {
      // Three times shared by hundreds of builds each, so slice boundaries fall inside runs of equal times.
      const times = ['2026-02-01T00:00:00.000Z', '2026-02-02T00:00:00.000Z', '2026-02-03T00:00:00.000Z'];
      const rows = Array.from({ length: 1_300 }, (_, n) => {
        const time = times[n % times.length] ?? '';
        return buildRow(build(n + 10, { queueTime: time, startTime: time, finishTime: time, tags: [] }));
      });
      for (let i = 0; i < rows.length; i += 100)
        await store.kysely
          .insertInto('builds')
          .values(rows.slice(i, i + 100))
          .execute();
      const query = parseBuildQuery({ $top: '5000' });
      const page = await store.builds.list({ organizationId: world.contoso.id, query, limit: 1_250 });
      const all = rows
        .map((row) => ({ time: row.finish_time, id: Number(row.id) }))
        .concat([1, 2, 3].map((id) => ({ time: `2026-01-0${id}T00:02:00.000Z`, id })));
      const newestFirst = [...all]
        .sort((a, b) => (a.time === b.time ? b.id - a.id : a.time < b.time ? 1 : -1))
        .map((entry) => entry.id);
      expect(page.map((b) => b.id)).toEqual(newestFirst.slice(0, 1_250));
      const ascending = await store.builds.list({
        organizationId: world.contoso.id,
        query: parseBuildQuery({ queryOrder: 'finishTimeAscending' }),
        limit: 2_000,
      });
      expect(ascending.map((b) => b.id)).toEqual([...newestFirst].reverse());
    });
  });
}
