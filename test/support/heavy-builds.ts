import { maxBuildTop } from '../../src/domain/build-query.js';
import { maxTagLength, maxTagsPerBuild } from '../../src/domain/build-tags.js';
import type { Build } from '../../src/domain/builds.js';
import type { Organization, Project, User } from '../../src/domain/entities.js';
import { buildRow } from '../../src/storage/kysely/builds.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';

/** The builds of the worst list Lapis allows: a full page ($top at its maximum), every build at the tag caps. */
export const heavyBuildCount = maxBuildTop + 1;

function tagsFor(id: number): string[] {
  return Array.from({ length: maxTagsPerBuild }, (_, n) => `${n}-${id}-`.padEnd(maxTagLength, 'x'));
}

/** Writes `count` builds of definition 1 straight into the store, each carrying the maximum number of longest tags. */
export async function loadHeavyBuilds(
  store: KyselyStore,
  organization: Organization,
  project: Project,
  user: User,
  count = heavyBuildCount,
): Promise<void> {
  const start = Date.parse('2024-01-01T00:00:00.000Z');
  await store.kysely.transaction().execute(async (trx) => {
    for (let first = 1; first <= count; first += 100) {
      const builds: Build[] = [];
      for (let id = first; id < Math.min(first + 100, count + 1); id++) {
        const time = new Date(start + id * 60_000).toISOString();
        builds.push({
          organizationId: organization.id,
          id,
          projectId: project.id,
          definitionId: 1,
          definitionRevision: 1,
          buildNumber: `2024.${id}`,
          buildNumberRevision: null,
          status: 'completed',
          result: 'succeeded',
          reason: 'manual',
          priority: 'normal',
          queueTime: time,
          startTime: time,
          finishTime: time,
          sourceBranch: 'refs/heads/main',
          sourceVersion: '',
          requestedForId: user.id,
          requestedById: user.id,
          lastChangedById: user.id,
          lastChangedDate: time,
          tags: tagsFor(id),
          demands: [],
          parameters: null,
          templateParameters: {},
          triggerInfo: {},
          retainedByRelease: false,
          keepForever: false,
          deleted: false,
          deletedDate: null,
          deletedById: null,
        });
      }
      await trx.insertInto('builds').values(builds.map(buildRow)).execute();
      const tagRows = builds.flatMap((build) =>
        build.tags.map((tag) => ({ organization_id: organization.id, build_id: build.id, tag, tag_key: tag.toLowerCase() })),
      );
      for (let i = 0; i < tagRows.length; i += 500)
        await trx
          .insertInto('build_tags')
          .values(tagRows.slice(i, i + 500))
          .execute();
    }
  });
}
