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

  /**
   * Changes a folder's description and, when `changes.path` names another place, moves it there with the folders and
   * pipelines below it (Azure DevOps' Folders - Update). The new place must be free and not inside the folder itself.
   */
  async update(
    project: Project,
    changer: User,
    path: string,
    changes: { path?: string | undefined; description?: string | undefined },
  ): Promise<BuildFolder> {
    const from = normalizePath(path);
    const to = changes.path === undefined ? from : normalizePath(changes.path);
    if (from === '\\' || to === '\\') throw new DomainError('invalidInput', 'The root folder \\ cannot be changed or replaced.');
    const moving = from.toLowerCase() !== to.toLowerCase();
    if (moving && to.toLowerCase().startsWith(`${from.toLowerCase()}\\`)) {
      throw new DomainError('invalidInput', `The folder ${from} cannot move into itself (${to}).`);
    }
    if ((changes.description ?? '').length > 4000)
      throw new DomainError('invalidInput', 'description must be at most 4000 characters.');
    const now = this.context.clock.now().toISOString();
    const { organizationId } = project;
    return this.context.store
      .transaction(async (repositories) => {
        const folder = await repositories.folders.find(organizationId, project.id, from);
        if (!folder) throw notFound(from);
        if (moving && (await repositories.folders.find(organizationId, project.id, to))) {
          throw new DomainError('folderExists', `The folder ${to} already exists.`);
        }
        const segments = to.split('\\').filter(Boolean);
        for (let depth = 1; depth < segments.length; depth++) {
          const parent = `\\${segments.slice(0, depth).join('\\')}`;
          const stamps = { createdById: changer.id, createdOn: now, lastChangedById: changer.id, lastChangedDate: now };
          await repositories.folders.insert({ ...folder, ...stamps, path: parent, description: '' });
        }
        const moved = (old: string) => `${to}${old.slice(from.length)}`;
        for (const below of await repositories.folders.listUnder(organizationId, project.id, from)) {
          const top = below.path.toLowerCase() === from.toLowerCase();
          await repositories.folders.update(
            {
              ...below,
              path: moved(below.path),
              ...(top && {
                description: changes.description ?? below.description,
                lastChangedById: changer.id,
                lastChangedDate: now,
              }),
            },
            below.path,
          );
        }
        if (moving) {
          const definitions = await repositories.definitions.list({
            organizationId,
            projectId: project.id,
            path: from.toLowerCase(),
            order: 'none',
            limit: Number.MAX_SAFE_INTEGER,
          });
          for (const definition of definitions) {
            await repositories.definitions.update(
              { ...definition, path: moved(definition.path), modifiedDate: now },
              definition.revision,
            );
          }
        }
        const updated = await repositories.folders.find(organizationId, project.id, to);
        if (!updated) throw notFound(to);
        if (moving) await repositories.changes.publish('definitions', organizationId);
        return updated;
      })
      .finally(() => {
        if (moving) this.context.credentials.changedHere('definitions', organizationId);
      });
  }

  /** Deletes the folder, the folders below it and the pipelines in them (kept as deleted, their builds stay readable). */
  async remove(project: Project, path: string): Promise<void> {
    const normalized = normalizePath(path);
    if (normalized === '\\') throw new DomainError('invalidInput', 'The root folder cannot be deleted.');
    const now = this.context.clock.now().toISOString();
    await this.context.store
      .transaction(async (repositories) => {
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
        await repositories.changes.publish('definitions', project.organizationId);
      })
      .finally(() => this.context.credentials.changedHere('definitions', project.organizationId));
  }
}
