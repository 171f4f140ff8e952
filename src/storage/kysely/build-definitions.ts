import { type ExpressionBuilder, type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { BuildDefinition, DefinitionQueueStatus, DefinitionSettings } from '../../domain/builds.js';
import type { BuildDefinitionRepository, DefinitionListQuery } from '../ports.js';
import { likePattern } from './like.js';
import type { BuildDefinitionsTable, Database } from './schema.js';

function toDefinition(row: Selectable<BuildDefinitionsTable>): BuildDefinition {
  return {
    organizationId: row.organization_id,
    id: Number(row.id),
    projectId: row.project_id,
    name: row.name,
    path: row.path,
    revision: Number(row.revision),
    queueStatus: row.queue_status as DefinitionQueueStatus,
    buildNumberFormat: row.build_number_format,
    createdDate: row.created_date,
    modifiedDate: row.modified_date,
    authoredById: row.authored_by,
    deleted: Number(row.deleted) === 1,
    settings: withSettingDefaults(JSON.parse(row.settings) as DefinitionSettings),
  };
}

/** Settings stored before `comment` and `variableGroups` existed read as empty. */
function withSettingDefaults(settings: Partial<DefinitionSettings>): DefinitionSettings {
  return { ...settings, comment: settings.comment ?? '', variableGroups: settings.variableGroups ?? [] } as DefinitionSettings;
}

function idOf(value: unknown): string | null {
  return typeof value === 'string' || typeof value === 'number' ? String(value).toLowerCase() : null;
}

function fromSnapshot(snapshot: string): BuildDefinition {
  const definition = JSON.parse(snapshot) as BuildDefinition;
  return { ...definition, settings: withSettingDefaults(definition.settings) };
}

function toRow(definition: BuildDefinition) {
  return {
    organization_id: definition.organizationId,
    id: definition.id,
    project_id: definition.projectId,
    name: definition.name,
    name_key: definition.name.toLowerCase(),
    path: definition.path,
    path_key: definition.path.toLowerCase(),
    revision: definition.revision,
    queue_status: definition.queueStatus,
    build_number_format: definition.buildNumberFormat,
    created_date: definition.createdDate,
    modified_date: definition.modifiedDate,
    authored_by: definition.authoredById,
    deleted: definition.deleted ? 1 : 0,
    settings: JSON.stringify(definition.settings),
    repository_id: idOf(definition.settings.repository.id),
    repository_type: idOf(definition.settings.repository.type),
    queue_id: idOf(definition.settings.queue.id),
  };
}

export class KyselyBuildDefinitionRepository implements BuildDefinitionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private async saveRevision(definition: BuildDefinition): Promise<void> {
    await this.db
      .insertInto('build_definition_revisions')
      .values({
        organization_id: definition.organizationId,
        definition_id: definition.id,
        revision: definition.revision,
        snapshot: JSON.stringify(definition),
      })
      .onConflict((conflict) => conflict.columns(['organization_id', 'definition_id', 'revision']).doNothing())
      .execute();
  }

  async insert(definition: BuildDefinition): Promise<void> {
    await this.db.insertInto('build_definitions').values(toRow(definition)).execute();
    await this.saveRevision(definition);
  }

  async update(definition: BuildDefinition, expectedRevision: number): Promise<boolean> {
    const { organization_id, id, ...changes } = toRow(definition);
    const result = await this.db
      .updateTable('build_definitions')
      .set(changes)
      .where('organization_id', '=', organization_id)
      .where('id', '=', id)
      .where('revision', '=', expectedRevision)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await this.saveRevision(definition);
    return true;
  }

  async find(organizationId: string, id: number, projectId?: string): Promise<BuildDefinition | undefined> {
    let select = this.db
      .selectFrom('build_definitions')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id);
    if (projectId !== undefined) select = select.where('project_id', '=', projectId);
    const row = await select.executeTakeFirst();
    return row && toDefinition(row);
  }

  async findRevision(organizationId: string, id: number, revision: number): Promise<BuildDefinition | undefined> {
    const row = await this.db
      .selectFrom('build_definition_revisions')
      .select('snapshot')
      .where('organization_id', '=', organizationId)
      .where('definition_id', '=', id)
      .where('revision', '=', revision)
      .executeTakeFirst();
    return row && fromSnapshot(row.snapshot);
  }

  async listRevisions(organizationId: string, id: number): Promise<BuildDefinition[]> {
    const rows = await this.db
      .selectFrom('build_definition_revisions')
      .select('snapshot')
      .where('organization_id', '=', organizationId)
      .where('definition_id', '=', id)
      .orderBy('revision')
      .execute();
    return rows.map((row) => fromSnapshot(row.snapshot));
  }

  async findByIds(organizationId: string, ids: readonly number[]): Promise<BuildDefinition[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('build_definitions')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', 'in', [...ids])
      .execute();
    return rows.map(toDefinition);
  }

  async findByName(organizationId: string, projectId: string, path: string, name: string): Promise<BuildDefinition | undefined> {
    const row = await this.db
      .selectFrom('build_definitions')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('project_id', '=', projectId)
      .where('path_key', '=', path.toLowerCase())
      .where('name_key', '=', name.toLowerCase())
      .where('deleted', '=', 0)
      .executeTakeFirst();
    return row && toDefinition(row);
  }

  async list(query: DefinitionListQuery): Promise<BuildDefinition[]> {
    let select = this.db
      .selectFrom('build_definitions')
      .selectAll()
      .where('organization_id', '=', query.organizationId)
      .where('project_id', '=', query.projectId)
      .where('deleted', '=', 0);
    if (query.namePattern !== undefined) {
      select = query.namePattern.includes('*')
        ? select.where(sql<SqlBool>`name_key like ${likePattern(query.namePattern)} escape '!'`)
        : select.where('name_key', '=', query.namePattern);
    }
    if (query.ids) select = select.where('id', 'in', query.ids.length > 0 ? [...query.ids] : [-1]);
    if (query.path !== undefined) {
      const folder = query.path;
      const below = `${likePattern(folder.endsWith('\\') ? folder : `${folder}\\`)}%`;
      select = select.where((eb) => eb.or([eb('path_key', '=', folder), sql<SqlBool>`path_key like ${below} escape '!'`]));
    }
    if (query.repositoryId !== undefined) select = select.where('repository_id', '=', query.repositoryId);
    if (query.repositoryType !== undefined) select = select.where('repository_type', '=', query.repositoryType);
    const builtAfter = query.builtAfter;
    if (builtAfter !== undefined) select = select.where((eb) => eb.exists(buildsOf(eb, builtAfter)));
    const notBuiltAfter = query.notBuiltAfter;
    if (notBuiltAfter !== undefined) select = select.where((eb) => eb.not(eb.exists(buildsOf(eb, notBuiltAfter))));
    const column =
      query.order === 'none'
        ? undefined
        : query.order.startsWith('definitionName')
          ? ('name_key' as const)
          : ('modified_date' as const);
    const direction = query.order.endsWith('Descending') ? 'desc' : 'asc';
    const from = query.from;
    if (from) {
      const after = direction === 'desc' ? '<' : '>';
      const atOrAfter = direction === 'desc' ? '<=' : '>=';
      if (column) {
        select = select
          .where(column, atOrAfter, from.key)
          .where((eb) => eb.or([eb(column, after, from.key), eb('id', atOrAfter, from.id)]));
      } else {
        select = select.where('id', atOrAfter, from.id);
      }
    }
    if (column) select = select.orderBy(column, direction);
    const rows = await select.orderBy('id', direction).limit(query.limit).execute();
    return rows.map(toDefinition);
  }
}

/** The builds of the outer query's definition queued after `time`. */
function buildsOf(eb: ExpressionBuilder<Database, 'build_definitions'>, time: string) {
  return eb
    .selectFrom('builds')
    .select('builds.id')
    .whereRef('builds.organization_id', '=', 'build_definitions.organization_id')
    .whereRef('builds.definition_id', '=', 'build_definitions.id')
    .where('builds.queue_time', '>', time);
}
