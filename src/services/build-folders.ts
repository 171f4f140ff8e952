import type { BuildFolder } from '../domain/builds.js';
import type { Project, User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { normalizePath } from './build-definitions.js';
import type { ServiceContext } from './context.js';

export const folderQueryOrders = { none: 0, folderAscending: 1, folderDescending: 2 } as const;

function notFound(path: string): DomainError {
  return new DomainError('folderNotFound', `The folder ${path} was not found.`);
}

/** Folders of pipelines. Creating a definition in a path creates its folders, as on Azure DevOps. */
export class BuildFolderService {
  constructor(private readonly context: ServiceContext) {}

  /** The folder at `path` (the root when absent) and every folder below it. */
  async list(project: Project, path: string | undefined, descending: boolean): Promise<BuildFolder[]> {
    const folders = await this.context.store.folders.listUnder(project.organizationId, project.id, normalizePath(path));
    return descending ? folders.reverse() : folders;
  }

  async create(project: Project, creator: User, path: string, description: string | undefined): Promise<BuildFolder> {
    const normalized = normalizePath(path);
    if (normalized === '\\') throw new DomainError('folderExists', 'The root folder \\ always exists.');
    if ((description ?? '').length > 4000) throw new DomainError('invalidInput', 'description must be at most 4000 characters.');
    const now = this.context.clock.now().toISOString();
    return this.context.store.transaction(async (repositories) => {
      const segments = normalized.split('\\').filter(Boolean);
      let folder: BuildFolder | undefined;
      for (let depth = 1; depth <= segments.length; depth++) {
        const last = depth === segments.length;
        folder = {
          organizationId: project.organizationId,
          projectId: project.id,
          path: `\\${segments.slice(0, depth).join('\\')}`,
          description: last ? (description ?? '') : '',
          createdById: creator.id,
          createdOn: now,
          lastChangedById: creator.id,
          lastChangedDate: now,
        };
        const inserted = await repositories.folders.insert(folder);
        if (last && !inserted) throw new DomainError('folderExists', `The folder ${normalized} already exists.`);
      }
      if (!folder) throw notFound(normalized);
      return folder;
    });
  }

  /** Deletes the folder, the folders below it and the pipelines in them (kept as deleted, their builds stay readable). */
  async remove(project: Project, path: string): Promise<void> {
    const normalized = normalizePath(path);
    if (normalized === '\\') throw new DomainError('invalidInput', 'The root folder cannot be deleted.');
    const now = this.context.clock.now().toISOString();
    await this.context.store.transaction(async (repositories) => {
      if (!(await repositories.folders.find(project.organizationId, project.id, normalized))) throw notFound(normalized);
      const definitions = await repositories.definitions.list({
        organizationId: project.organizationId,
        projectId: project.id,
        path: normalized.toLowerCase(),
        order: 'none',
        limit: Number.MAX_SAFE_INTEGER,
      });
      for (const definition of definitions) {
        await repositories.definitions.update({ ...definition, deleted: true, modifiedDate: now }, definition.revision);
      }
      await repositories.folders.deleteUnder(project.organizationId, project.id, normalized);
    });
  }
}
