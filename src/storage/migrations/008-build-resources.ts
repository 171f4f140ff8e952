import type { LapisMigration } from './dialect.js';

interface StoredVariable {
  value?: unknown;
  isSecret?: unknown;
}

/** Secret variable values are never kept (Lapis runs no pipeline that could use them); earlier rows may hold some. */
function withoutSecrets(settingsJson: string): string {
  const settings = JSON.parse(settingsJson) as { variables?: Record<string, StoredVariable> };
  for (const variable of Object.values(settings.variables ?? {})) {
    if (variable && typeof variable === 'object' && variable.isSecret === true) variable.value = null;
  }
  return JSON.stringify(settings);
}

function text(value: unknown): string | null {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

/**
 * The build area's second round: demands on builds; the repository and queue of a definition as columns (the
 * build and definition lists filter on them); retention leases; folders. Existing secret variable values are erased.
 */
export const buildResources: LapisMigration = {
  name: '008-build-resources',
  async up(db) {
    await db.schema
      .alterTable('builds')
      .addColumn('demands', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema.alterTable('build_definitions').addColumn('repository_id', 'text').execute();
    await db.schema.alterTable('build_definitions').addColumn('repository_type', 'text').execute();
    await db.schema.alterTable('build_definitions').addColumn('queue_id', 'text').execute();

    const definitions = await db.selectFrom('build_definitions').select(['organization_id', 'id', 'settings']).execute();
    for (const row of definitions) {
      const settings = JSON.parse(row.settings) as { repository?: Record<string, unknown>; queue?: Record<string, unknown> };
      await db
        .updateTable('build_definitions')
        .set({
          settings: withoutSecrets(row.settings),
          repository_id: text(settings.repository?.id)?.toLowerCase() ?? null,
          repository_type: text(settings.repository?.type)?.toLowerCase() ?? null,
          queue_id: text(settings.queue?.id),
        })
        .where('organization_id', '=', row.organization_id)
        .where('id', '=', row.id)
        .execute();
    }
    const revisions = await db
      .selectFrom('build_definition_revisions')
      .select(['organization_id', 'definition_id', 'revision', 'snapshot'])
      .execute();
    for (const row of revisions) {
      const snapshot = JSON.parse(row.snapshot) as { settings?: unknown };
      snapshot.settings = JSON.parse(withoutSecrets(JSON.stringify(snapshot.settings ?? {})));
      await db
        .updateTable('build_definition_revisions')
        .set({ snapshot: JSON.stringify(snapshot) })
        .where('organization_id', '=', row.organization_id)
        .where('definition_id', '=', row.definition_id)
        .where('revision', '=', row.revision)
        .execute();
    }
    await db.schema
      .createIndex('build_definitions_repository')
      .on('build_definitions')
      .columns(['organization_id', 'repository_type', 'repository_id'])
      .execute();

    await db.schema
      .createTable('retention_leases')
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('id', 'integer', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('definition_id', 'integer', (c) => c.notNull())
      .addColumn('run_id', 'integer', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('created_on', 'text', (c) => c.notNull())
      .addColumn('valid_until', 'text', (c) => c.notNull())
      .addColumn('protect_pipeline', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('retention_leases_pk', ['organization_id', 'id'])
      .addForeignKeyConstraint(
        'retention_leases_build',
        ['organization_id', 'run_id'],
        'builds',
        ['organization_id', 'id'],
        (c) => c.onDelete('cascade'),
      )
      .execute();
    await db.schema.createIndex('retention_leases_run').on('retention_leases').columns(['organization_id', 'run_id']).execute();

    await db.schema
      .createTable('build_folders')
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('path_key', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_on', 'text', (c) => c.notNull())
      .addColumn('last_changed_by', 'text', (c) => c.notNull())
      .addColumn('last_changed_date', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('build_folders_pk', ['organization_id', 'project_id', 'path_key'])
      .execute();
  },
};
