import type { LapisMigration } from './dialect.js';

/**
 * Build definitions (with their revision history), builds, per-organization counters, operations and project
 * capabilities. Build times are text that sorts; an unfinished time is stored as a far-future sentinel so every
 * ordering column is non-null and the keyset indexes below serve both directions on both backends.
 */
export const builds: LapisMigration = {
  name: '003-builds',
  async up(db) {
    await db.schema
      .alterTable('projects')
      .addColumn('source_control_type', 'text', (c) => c.notNull().defaultTo('Git'))
      .execute();
    await db.schema
      .alterTable('projects')
      .addColumn('process_template_id', 'text', (c) => c.notNull().defaultTo('adcc42ab-9882-485e-a3ed-7678f01f66bc'))
      .execute();

    await db.schema
      .createTable('counters')
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('value', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('counters_pk', ['scope', 'name'])
      .execute();

    await db.schema
      .createTable('operations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('result_message', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('build_definitions')
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('id', 'integer', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('path_key', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('queue_status', 'text', (c) => c.notNull())
      .addColumn('build_number_format', 'text', (c) => c.notNull())
      .addColumn('created_date', 'text', (c) => c.notNull())
      .addColumn('modified_date', 'text', (c) => c.notNull())
      .addColumn('authored_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('settings', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('build_definitions_pk', ['organization_id', 'id'])
      .execute();
    await db.schema
      .createIndex('build_definitions_project_name')
      .on('build_definitions')
      .columns(['organization_id', 'project_id', 'name_key', 'id'])
      .execute();
    await db.schema
      .createIndex('build_definitions_project_modified')
      .on('build_definitions')
      .columns(['organization_id', 'project_id', 'modified_date', 'id'])
      .execute();

    await db.schema
      .createTable('build_definition_revisions')
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('definition_id', 'integer', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('build_definition_revisions_pk', ['organization_id', 'definition_id', 'revision'])
      .addForeignKeyConstraint(
        'build_definition_revisions_definition',
        ['organization_id', 'definition_id'],
        'build_definitions',
        ['organization_id', 'id'],
        (c) => c.onDelete('cascade'),
      )
      .execute();

    await db.schema
      .createTable('builds')
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('id', 'integer', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('definition_id', 'integer', (c) => c.notNull())
      .addColumn('definition_revision', 'integer', (c) => c.notNull())
      .addColumn('build_number', 'text', (c) => c.notNull())
      .addColumn('build_number_revision', 'integer')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('result', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('queue_time', 'text', (c) => c.notNull())
      .addColumn('start_time', 'text', (c) => c.notNull())
      .addColumn('finish_time', 'text', (c) => c.notNull())
      .addColumn('source_branch', 'text', (c) => c.notNull())
      .addColumn('source_version', 'text', (c) => c.notNull())
      .addColumn('requested_for', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('last_changed_by', 'text', (c) => c.notNull())
      .addColumn('last_changed_date', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('parameters', 'text')
      .addColumn('template_parameters', 'text', (c) => c.notNull())
      .addColumn('trigger_info', 'text', (c) => c.notNull())
      .addColumn('retained_by_release', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('keep_forever', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('deleted_date', 'text')
      .addColumn('deleted_by', 'text')
      .addPrimaryKeyConstraint('builds_pk', ['organization_id', 'id'])
      .addForeignKeyConstraint(
        'builds_definition',
        ['organization_id', 'definition_id'],
        'build_definitions',
        ['organization_id', 'id'],
        (c) => c.onDelete('cascade'),
      )
      .execute();
    // One index per (scope, ordering) the list serves without sorting: a definition, a project, the organization.
    for (const [scope, columns] of [
      ['definition', ['organization_id', 'definition_id']],
      ['project', ['organization_id', 'project_id']],
      ['organization', ['organization_id']],
    ] as const) {
      for (const time of ['finish_time', 'queue_time'] as const) {
        await db.schema
          .createIndex(`builds_${scope}_${time}`)
          .on('builds')
          .columns([...columns, time, 'id'])
          .execute();
      }
    }
    await db.schema
      .createIndex('builds_project_start_time')
      .on('builds')
      .columns(['organization_id', 'project_id', 'start_time', 'id'])
      .execute();
  },
};
