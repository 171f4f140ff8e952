import { setImmediate } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { BuildTagRepository } from '../ports.js';
import type { Database } from './schema.js';
import { isStorableId } from './stored-integer.js';

/**
 * Ids per statement when loading the tags of a page of builds. SQLite runs each statement synchronously, so a page
 * is loaded in slices with a turn of the event loop between them, letting other requests run.
 */
const idsPerStatement = 50;

function keyed(tags: readonly string[]): Map<string, string> {
  const unique = new Map<string, string>();
  for (const tag of tags) if (!unique.has(tag.toLowerCase())) unique.set(tag.toLowerCase(), tag);
  return unique;
}

/** The tags of each build, sorted case-insensitively; builds without tags are absent from the map. */
export async function tagsOfBuilds(
  db: Kysely<Database>,
  organizationId: string,
  buildIds: readonly number[],
): Promise<Map<number, string[]>> {
  const tags = new Map<number, string[]>();
  const ids = buildIds.filter(isStorableId);
  for (let i = 0; i < ids.length; i += idsPerStatement) {
    if (i > 0) await setImmediate();
    const rows = await db
      .selectFrom('build_tags')
      .select(['build_id', 'tag'])
      .where('organization_id', '=', organizationId)
      .where('build_id', 'in', ids.slice(i, i + idsPerStatement))
      .orderBy('build_id')
      .orderBy('tag_key')
      .execute();
    for (const row of rows) {
      const id = Number(row.build_id);
      const list = tags.get(id);
      if (list) list.push(row.tag);
      else tags.set(id, [row.tag]);
    }
  }
  return tags;
}

export async function insertBuildTags(
  db: Kysely<Database>,
  organizationId: string,
  buildId: number,
  tags: readonly string[],
): Promise<void> {
  const rows = [...keyed(tags)].map(([key, tag]) => ({ organization_id: organizationId, build_id: buildId, tag, tag_key: key }));
  if (rows.length === 0) return;
  await db
    .insertInto('build_tags')
    .values(rows)
    .onConflict((conflict) => conflict.columns(['organization_id', 'build_id', 'tag_key']).doNothing())
    .execute();
}

export class KyselyBuildTagRepository implements BuildTagRepository {
  constructor(private readonly db: Kysely<Database>) {}

  add(organizationId: string, buildId: number, tags: readonly string[]): Promise<void> {
    return insertBuildTags(this.db, organizationId, buildId, tags);
  }

  async remove(organizationId: string, buildId: number, tags: readonly string[]): Promise<void> {
    const keys = [...keyed(tags).keys()];
    if (keys.length === 0 || !isStorableId(buildId)) return;
    await this.db
      .deleteFrom('build_tags')
      .where('organization_id', '=', organizationId)
      .where('build_id', '=', buildId)
      .where('tag_key', 'in', keys)
      .execute();
  }

  async ofBuild(organizationId: string, buildId: number): Promise<string[]> {
    return (await tagsOfBuilds(this.db, organizationId, [buildId])).get(buildId) ?? [];
  }

  async inProject(organizationId: string, projectId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('build_tags')
      .innerJoin('builds', (join) =>
        join.onRef('builds.organization_id', '=', 'build_tags.organization_id').onRef('builds.id', '=', 'build_tags.build_id'),
      )
      .select((eb) => ['build_tags.tag_key', eb.fn.min('build_tags.tag').as('tag')])
      .where('build_tags.organization_id', '=', organizationId)
      .where('builds.project_id', '=', projectId)
      .groupBy('build_tags.tag_key')
      .orderBy('build_tags.tag_key')
      .execute();
    return rows.map((row) => row.tag);
  }

  async removeFromProject(organizationId: string, projectId: string, tag: string): Promise<void> {
    await this.db
      .deleteFrom('build_tags')
      .where('organization_id', '=', organizationId)
      .where('tag_key', '=', tag.toLowerCase())
      .where('build_id', 'in', (eb) =>
        eb
          .selectFrom('builds')
          .select('id')
          .where('builds.organization_id', '=', organizationId)
          .where('builds.project_id', '=', projectId),
      )
      .execute();
  }
}
