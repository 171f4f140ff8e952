import type { Kysely, Selectable } from 'kysely';
import type { Project, ProjectState, ProjectVisibility, SourceControlType } from '../../domain/entities.js';
import type { ProjectChanges, ProjectListQuery, ProjectRepository } from '../ports.js';
import type { Database, ProjectsTable } from './schema.js';

function toProject(row: Selectable<ProjectsTable>): Project {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    visibility: row.visibility as ProjectVisibility,
    state: row.state as ProjectState,
    revision: Number(row.revision),
    lastUpdateTime: row.last_update_time,
    sourceControlType: row.source_control_type as SourceControlType,
    processTemplateId: row.process_template_id,
  };
}

export class KyselyProjectRepository implements ProjectRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(project: Project): Promise<void> {
    await this.db
      .insertInto('projects')
      .values({
        id: project.id,
        organization_id: project.organizationId,
        name: project.name,
        name_key: project.name.toLowerCase(),
        description: project.description,
        visibility: project.visibility,
        state: project.state,
        revision: project.revision,
        last_update_time: project.lastUpdateTime,
        source_control_type: project.sourceControlType,
        process_template_id: project.processTemplateId,
      })
      .execute();
  }

  async findById(organizationId: string, id: string): Promise<Project | undefined> {
    const row = await this.db
      .selectFrom('projects')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id.toLowerCase())
      .executeTakeFirst();
    return row && toProject(row);
  }

  async findByName(organizationId: string, name: string): Promise<Project | undefined> {
    const row = await this.db
      .selectFrom('projects')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('name_key', '=', name.toLowerCase())
      .executeTakeFirst();
    return row && toProject(row);
  }

  async list(query: ProjectListQuery): Promise<Project[]> {
    let select = this.db.selectFrom('projects').selectAll().where('organization_id', '=', query.organizationId);
    if (query.states) select = select.where('state', 'in', [...query.states]);
    const rows = await select
      .orderBy('name_key')
      .limit(query.limit)
      .offset(query.offset ?? 0)
      .execute();
    return rows.map(toProject);
  }

  async update(organizationId: string, id: string, changes: ProjectChanges): Promise<void> {
    await this.db
      .updateTable('projects')
      .set({
        ...(changes.name !== undefined && { name: changes.name, name_key: changes.name.toLowerCase() }),
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.visibility !== undefined && { visibility: changes.visibility }),
        ...(changes.state !== undefined && { state: changes.state }),
        ...(changes.sourceControlType !== undefined && { source_control_type: changes.sourceControlType }),
        ...(changes.processTemplateId !== undefined && { process_template_id: changes.processTemplateId }),
        revision: changes.revision,
        last_update_time: changes.lastUpdateTime,
      })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .execute();
  }

  async delete(organizationId: string, id: string): Promise<void> {
    await this.db.deleteFrom('projects').where('organization_id', '=', organizationId).where('id', '=', id).execute();
  }
}
