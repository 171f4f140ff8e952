import type { Kysely, Selectable } from 'kysely';
import type { Team } from '../../domain/entities.js';
import type { TeamListQuery, TeamRepository } from '../ports.js';
import type { Database, TeamsTable } from './schema.js';

function toTeam(row: Selectable<TeamsTable>): Team {
  return {
    id: row.id,
    organizationId: row.organization_id,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    isDefault: Number(row.is_default) === 1,
    createdAt: row.created_at,
  };
}

export class KyselyTeamRepository implements TeamRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(team: Team): Promise<void> {
    await this.db
      .insertInto('teams')
      .values({
        id: team.id,
        organization_id: team.organizationId,
        project_id: team.projectId,
        name: team.name,
        name_key: team.name.toLowerCase(),
        description: team.description,
        is_default: team.isDefault ? 1 : 0,
        created_at: team.createdAt,
      })
      .execute();
  }

  async findById(organizationId: string, id: string): Promise<Team | undefined> {
    const row = await this.db
      .selectFrom('teams')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id.toLowerCase())
      .executeTakeFirst();
    return row && toTeam(row);
  }

  async findByName(projectId: string, name: string): Promise<Team | undefined> {
    const row = await this.db
      .selectFrom('teams')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('name_key', '=', name.toLowerCase())
      .executeTakeFirst();
    return row && toTeam(row);
  }

  async findDefault(projectId: string): Promise<Team | undefined> {
    const row = await this.db
      .selectFrom('teams')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('is_default', '=', 1)
      .executeTakeFirst();
    return row && toTeam(row);
  }

  async list(query: TeamListQuery): Promise<Team[]> {
    let select = this.db.selectFrom('teams').selectAll().where('organization_id', '=', query.organizationId);
    if (query.projectId !== undefined) select = select.where('project_id', '=', query.projectId);
    const rows = await select.orderBy('name_key').orderBy('id').limit(query.limit).offset(query.offset).execute();
    return rows.map(toTeam);
  }

  async update(id: string, changes: { name?: string; description?: string }): Promise<void> {
    await this.db
      .updateTable('teams')
      .set({
        ...(changes.name !== undefined && { name: changes.name, name_key: changes.name.toLowerCase() }),
        ...(changes.description !== undefined && { description: changes.description }),
      })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('teams').where('id', '=', id).execute();
  }
}
