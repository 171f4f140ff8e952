import { type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { BuildFolder } from '../../domain/builds.js';
import type { BuildFolderRepository } from '../ports.js';
import { likePattern } from './like.js';
import type { BuildFoldersTable, Database } from './schema.js';

function toFolder(row: Selectable<BuildFoldersTable>): BuildFolder {
  return {
    organizationId: row.organization_id,
    projectId: row.project_id,
    path: row.path,
    description: row.description,
    createdById: row.created_by,
    createdOn: row.created_on,
    lastChangedById: row.last_changed_by,
    lastChangedDate: row.last_changed_date,
  };
}

function toRow(folder: BuildFolder): BuildFoldersTable {
  return {
    organization_id: folder.organizationId,
    project_id: folder.projectId,
    path: folder.path,
    path_key: folder.path.toLowerCase(),
    description: folder.description,
    created_by: folder.createdById,
    created_on: folder.createdOn,
    last_changed_by: folder.lastChangedById,
    last_changed_date: folder.lastChangedDate,
  };
}

/** `path_key` is the folder itself, `below` matches every folder under it. */
function below(path: string): string {
  const key = path.toLowerCase();
  return `${likePattern(key.endsWith('\\') ? key : `${key}\\`)}%`;
}

export class KyselyBuildFolderRepository implements BuildFolderRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(folder: BuildFolder): Promise<boolean> {
    const result = await this.db
      .insertInto('build_folders')
      .values(toRow(folder))
      .onConflict((conflict) => conflict.columns(['organization_id', 'project_id', 'path_key']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async update(folder: BuildFolder, oldPath: string): Promise<void> {
    const { organization_id, project_id, ...changes } = toRow(folder);
    await this.db
      .updateTable('build_folders')
      .set(changes)
      .where('organization_id', '=', organization_id)
      .where('project_id', '=', project_id)
      .where('path_key', '=', oldPath.toLowerCase())
      .execute();
  }

  async find(organizationId: string, projectId: string, path: string): Promise<BuildFolder | undefined> {
    const row = await this.db
      .selectFrom('build_folders')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('project_id', '=', projectId)
      .where('path_key', '=', path.toLowerCase())
      .executeTakeFirst();
    return row && toFolder(row);
  }

  async listUnder(organizationId: string, projectId: string, path: string): Promise<BuildFolder[]> {
    const rows = await this.db
      .selectFrom('build_folders')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('project_id', '=', projectId)
      .where((eb) => eb.or([eb('path_key', '=', path.toLowerCase()), sql<SqlBool>`path_key like ${below(path)} escape '!'`]))
      .orderBy('path_key')
      .execute();
    return rows.map(toFolder);
  }

  async deleteUnder(organizationId: string, projectId: string, path: string): Promise<void> {
    await this.db
      .deleteFrom('build_folders')
      .where('organization_id', '=', organizationId)
      .where('project_id', '=', projectId)
      .where((eb) => eb.or([eb('path_key', '=', path.toLowerCase()), sql<SqlBool>`path_key like ${below(path)} escape '!'`]))
      .execute();
  }
}
