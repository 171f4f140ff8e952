import type { Kysely } from 'kysely';
import type { ProjectProperty } from '../../domain/entities.js';
import type { ProjectPropertyRepository } from '../ports.js';
import type { Database } from './schema.js';

export class KyselyProjectPropertyRepository implements ProjectPropertyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(projectId: string): Promise<ProjectProperty[]> {
    const rows = await this.db
      .selectFrom('project_properties')
      .select(['name', 'value'])
      .where('project_id', '=', projectId)
      .orderBy('name_key')
      .execute();
    return rows.map((row) => ({ name: row.name, value: JSON.parse(row.value) as unknown }));
  }

  async set(projectId: string, property: ProjectProperty): Promise<void> {
    const nameKey = property.name.toLowerCase();
    const value = JSON.stringify(property.value);
    await this.db
      .insertInto('project_properties')
      .values({ project_id: projectId, name: property.name, name_key: nameKey, value })
      .onConflict((conflict) => conflict.columns(['project_id', 'name_key']).doUpdateSet({ name: property.name, value }))
      .execute();
  }

  async remove(projectId: string, name: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('project_properties')
      .where('project_id', '=', projectId)
      .where('name_key', '=', name.toLowerCase())
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
