import { setImmediate } from 'node:timers/promises';
import { type Kysely, type Selectable, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import { notYetTime } from '../../domain/build-query.js';
import type { Build, BuildPriority, BuildReason, BuildResult, BuildStatus } from '../../domain/builds.js';
import type { BuildListFilter, BuildRepository } from '../ports.js';
import { insertBuildTags, tagsOfBuilds } from './build-tags.js';
import { likePattern } from './like.js';
import type { BuildsTable, Database } from './schema.js';
import { idBound, isStorableId } from './stored-integer.js';

/** Stored for a time that has not happened yet, so ordering columns are never null (see migration 003). */
const notYet = notYetTime;

const timeColumns = { queueTime: 'queue_time', startTime: 'start_time', finishTime: 'finish_time' } as const;

function toBuild(row: Selectable<BuildsTable>, tags: readonly string[]): Build {
  return {
    organizationId: row.organization_id,
    id: Number(row.id),
    projectId: row.project_id,
    definitionId: Number(row.definition_id),
    definitionRevision: Number(row.definition_revision),
    buildNumber: row.build_number,
    buildNumberRevision: row.build_number_revision === null ? null : Number(row.build_number_revision),
    status: row.status as BuildStatus,
    result: row.result as BuildResult | null,
    reason: row.reason as BuildReason,
    priority: row.priority as BuildPriority,
    queueTime: row.queue_time,
    startTime: row.start_time === notYet ? null : row.start_time,
    finishTime: row.finish_time === notYet ? null : row.finish_time,
    sourceBranch: row.source_branch,
    sourceVersion: row.source_version,
    requestedForId: row.requested_for,
    requestedById: row.requested_by,
    lastChangedById: row.last_changed_by,
    lastChangedDate: row.last_changed_date,
    tags,
    demands: JSON.parse(row.demands) as string[],
    parameters: row.parameters,
    templateParameters: JSON.parse(row.template_parameters) as Record<string, string>,
    triggerInfo: JSON.parse(row.trigger_info) as Record<string, string>,
    retainedByRelease: Number(row.retained_by_release) === 1,
    keepForever: Number(row.keep_forever) === 1,
    deleted: Number(row.deleted) === 1,
    deletedDate: row.deleted_date,
    deletedById: row.deleted_by,
  };
}

/** The row for a build, tags aside; exported for bulk loaders (benchmarks) that write many rows per statement. */
export function buildRow(build: Build): BuildsTable {
  return {
    organization_id: build.organizationId,
    id: build.id,
    project_id: build.projectId,
    definition_id: build.definitionId,
    definition_revision: build.definitionRevision,
    build_number: build.buildNumber,
    build_number_revision: build.buildNumberRevision,
    status: build.status,
    result: build.result,
    reason: build.reason,
    priority: build.priority,
    queue_time: build.queueTime,
    start_time: build.startTime ?? notYet,
    finish_time: build.finishTime ?? notYet,
    source_branch: build.sourceBranch,
    source_version: build.sourceVersion,
    requested_for: build.requestedForId,
    requested_by: build.requestedById,
    last_changed_by: build.lastChangedById,
    last_changed_date: build.lastChangedDate,
    parameters: build.parameters,
    demands: JSON.stringify(build.demands),
    template_parameters: JSON.stringify(build.templateParameters),
    trigger_info: JSON.stringify(build.triggerInfo),
    retained_by_release: build.retainedByRelease ? 1 : 0,
    keep_forever: build.keepForever ? 1 : 0,
    deleted: build.deleted ? 1 : 0,
    deleted_date: build.deletedDate,
    deleted_by: build.deletedById,
  };
}

export class KyselyBuildRepository implements BuildRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(build: Build): Promise<void> {
    await this.db.insertInto('builds').values(buildRow(build)).execute();
    await insertBuildTags(this.db, build.organizationId, build.id, build.tags);
  }

  async update(build: Build): Promise<void> {
    const { organization_id, id, ...changes } = buildRow(build);
    await this.db
      .updateTable('builds')
      .set(changes)
      .where('organization_id', '=', organization_id)
      .where('id', '=', id)
      .execute();
  }

  async find(organizationId: string, id: number): Promise<Build | undefined> {
    if (!isStorableId(id)) return undefined;
    const row = await this.db
      .selectFrom('builds')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const tags = await tagsOfBuilds(this.db, organizationId, [id]);
    return toBuild(row, tags.get(id) ?? []);
  }

  async list(filter: BuildListFilter): Promise<Build[]> {
    const { query } = filter;
    const buildIds = query.buildIds?.filter(isStorableId);
    const definitionIds = query.definitionIds?.filter(isStorableId);
    // An empty list matches nothing; PostgreSQL refuses `in ()` where SQLite answers no rows.
    const lists = [buildIds, definitionIds, query.statuses, query.results, query.reasons];
    if (lists.some((list) => list?.length === 0)) return [];
    const column = timeColumns[query.timeField];
    // A long page is read in keyset slices with a turn of the event loop between them: SQLite runs each statement
    // synchronously, and one statement of 5,000 rows would hold every other request.
    const rows: Selectable<BuildsTable>[] = [];
    let after: ListPosition | undefined;
    while (rows.length < filter.limit) {
      if (after) await setImmediate();
      const wanted = Math.min(rowsPerStatement, filter.limit - rows.length);
      const slice = await this.slice(filter, buildIds, definitionIds, after, wanted);
      rows.push(...slice);
      const last = slice[slice.length - 1];
      if (slice.length < wanted || !last) break;
      after = { time: last[column], id: Number(last.id) };
    }
    const tags = await tagsOfBuilds(
      this.db,
      filter.organizationId,
      rows.map((row) => Number(row.id)),
    );
    return rows.map((row) => toBuild(row, tags.get(Number(row.id)) ?? []));
  }

  /** Up to `limit` rows of the list, starting at the query's cursor or just beyond the row at `after`. */
  private slice(
    filter: BuildListFilter,
    buildIds: readonly number[] | undefined,
    definitionIds: readonly number[] | undefined,
    after: ListPosition | undefined,
    limit: number,
  ): Promise<Selectable<BuildsTable>[]> {
    const { query } = filter;
    let select = filtered(this.db.selectFrom('builds').selectAll(), filter, buildIds, definitionIds);
    const column = timeColumns[query.timeField];
    const direction = query.descending ? 'desc' : 'asc';
    const perDefinition = filter.maxPerDefinition;
    if (perDefinition !== undefined) {
      // Ranked over the whole filtered set before the cursor applies, so every page agrees on which builds count.
      const rank = sql<number>`row_number() over (partition by definition_id order by ${sql.ref(column)} ${sql.raw(direction)}, id ${sql.raw(direction)})`;
      const ranked = filtered(
        this.db.selectFrom('builds').select(['id', rank.as('definition_rank')]),
        filter,
        buildIds,
        definitionIds,
      );
      select = select.where('id', 'in', (eb) =>
        eb.selectFrom(ranked.as('ranked')).select('ranked.id').where('ranked.definition_rank', '<=', perDefinition),
      );
    }
    const atOrBeyond = query.descending ? '<=' : '>=';
    const beyond = query.descending ? '<' : '>';
    const cursor = query.cursor;
    if (cursor) {
      select = select.where(column, atOrBeyond, cursor.time);
      if (cursor.id !== undefined) {
        const id = idBound(cursor.id);
        select = select.where((eb) => eb.or([eb(column, beyond, cursor.time), eb('id', atOrBeyond, id)]));
      }
    }
    if (after) {
      select = select
        .where(column, atOrBeyond, after.time)
        .where((eb) => eb.or([eb(column, beyond, after.time), eb('id', beyond, after.id)]));
    }
    return select.orderBy(column, direction).orderBy('id', direction).limit(limit).execute();
  }
}

/** Where the previous slice of a long page ended: its last row's ordering time and id. */
interface ListPosition {
  time: string;
  id: number;
}

/** Rows per statement when reading a long page; a page of up to 5,000 builds takes ten statements. */
const rowsPerStatement = 500;

/** The list's filters, applied to any selection from `builds` (the page itself, or the per-definition ranking). */
function filtered<O>(
  from: SelectQueryBuilder<Database, 'builds', O>,
  filter: BuildListFilter,
  buildIds: readonly number[] | undefined,
  definitionIds: readonly number[] | undefined,
): SelectQueryBuilder<Database, 'builds', O> {
  const { query } = filter;
  let select = from.where('organization_id', '=', filter.organizationId);
  if (filter.projectId !== undefined) select = select.where('project_id', '=', filter.projectId);
  if (buildIds) select = select.where('id', 'in', buildIds);
  if (definitionIds) select = select.where('definition_id', 'in', definitionIds);
  if (query.buildNumber !== undefined) {
    select = query.buildNumber.includes('*')
      ? select.where(sql<SqlBool>`lower(build_number) like ${likePattern(query.buildNumber.toLowerCase())} escape '!'`)
      : select.where('build_number', '=', query.buildNumber);
  }
  if (query.statuses) select = select.where('status', 'in', query.statuses);
  if (query.results) select = select.where('result', 'in', query.results);
  if (query.reasons) select = select.where('reason', 'in', query.reasons);
  if (query.branchName !== undefined) select = select.where('source_branch', '=', query.branchName);
  if (filter.requestedForIds !== undefined) {
    select = select.where('requested_for', 'in', filter.requestedForIds.length > 0 ? filter.requestedForIds : ['']);
  }
  const pipelines = filter.pipelines;
  if (pipelines) {
    select = select.where('definition_id', 'in', (eb) => {
      let definitions = eb
        .selectFrom('build_definitions')
        .select('build_definitions.id')
        .where('build_definitions.organization_id', '=', filter.organizationId);
      if (pipelines.repositoryId !== undefined)
        definitions = definitions.where('build_definitions.repository_id', '=', pipelines.repositoryId);
      if (pipelines.repositoryType !== undefined)
        definitions = definitions.where('build_definitions.repository_type', '=', pipelines.repositoryType);
      if (pipelines.queueIds !== undefined)
        definitions = definitions.where(
          'build_definitions.queue_id',
          'in',
          pipelines.queueIds.length > 0 ? pipelines.queueIds : [''],
        );
      return definitions;
    });
  }
  // One probe of the build_tags primary key per tag (the number of tags is bounded by the query's rules).
  for (const tag of query.tags ?? []) {
    select = select.where((eb) =>
      eb.exists(
        eb
          .selectFrom('build_tags')
          .select('build_tags.build_id')
          .whereRef('build_tags.organization_id', '=', 'builds.organization_id')
          .whereRef('build_tags.build_id', '=', 'builds.id')
          .where('build_tags.tag_key', '=', tag.toLowerCase()),
      ),
    );
  }
  if (query.deleted === 'excludeDeleted') select = select.where('deleted', '=', 0);
  if (query.deleted === 'onlyDeleted') select = select.where('deleted', '=', 1);

  const column = timeColumns[query.timeField];
  if (query.minTime !== undefined) select = select.where(column, '>=', query.minTime);
  if (query.maxTime !== undefined) select = select.where(column, '<=', query.maxTime);
  return select;
}
