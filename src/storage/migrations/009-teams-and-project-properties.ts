import { randomUUID } from 'node:crypto';
import type { LapisMigration } from './dialect.js';

export const teamsAndProjectProperties: LapisMigration = {
  name: '009-teams-and-project-properties',
  async up(db) {
    await db.schema
      .createTable('teams')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('teams_project_name', ['project_id', 'name_key'])
      .execute();
    await db.schema.createIndex('teams_organization').on('teams').columns(['organization_id', 'name_key']).execute();

    await db.schema
      .createTable('project_properties')
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_properties_pk', ['project_id', 'name_key'])
      .execute();

    // Every project has a default team, named as Azure DevOps names it; projects made before teams existed get theirs now.
    const projects = await db.selectFrom('projects').select(['id', 'organization_id', 'name', 'last_update_time']).execute();
    for (const project of projects) {
      const name = `${project.name} Team`;
      await db
        .insertInto('teams')
        .values({
          id: randomUUID(),
          organization_id: project.organization_id,
          project_id: project.id,
          name,
          name_key: name.toLowerCase(),
          description: 'The default project team.',
          is_default: 1,
          created_at: project.last_update_time,
        })
        .execute();
    }
  },
};
