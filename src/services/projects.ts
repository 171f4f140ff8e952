import { projectStateNumbers } from '../domain/core-enums.js';
import type { Project, ProjectState, ProjectVisibility, SourceControlType } from '../domain/entities.js';
import { projectVisibilities, sourceControlTypes } from '../domain/entities.js';
import { parseEnum } from '../domain/enums.js';
import { DomainError } from '../domain/errors.js';
import { isGuid } from '../domain/guid.js';
import { validateName } from '../domain/names.js';
import { defaultProcessTemplateId, parseProcessTemplateId } from '../domain/process-templates.js';
import { DuplicateKeyError, type ProjectChanges } from '../storage/ports.js';
import type { ServiceContext } from './context.js';
import { defaultTeamFor } from './teams.js';
import { TtlCache } from './ttl-cache.js';

export interface NewProject {
  name: string;
  description?: string | undefined;
  visibility?: string | undefined;
  sourceControlType?: string | undefined;
  processTemplateId?: string | undefined;
}

export interface ProjectUpdate {
  name?: string | undefined;
  description?: string | undefined;
  visibility?: string | undefined;
}

export interface ProjectListOptions {
  /** A state name, `all`, or undefined for `wellFormed`. */
  stateFilter?: string | undefined;
  top?: number | undefined;
  skip?: number | undefined;
  continuationToken?: string | undefined;
}

export interface ProjectPage {
  projects: Project[];
  continuationToken?: string;
}

export const defaultProjectTop = 100;

export function parseVisibility(value: string): ProjectVisibility {
  const found = projectVisibilities.find((v) => v === value.toLowerCase());
  if (!found) throw new DomainError('invalidInput', `Visibility must be private or public, not "${value}".`);
  return found;
}

function parseSourceControlType(value: string): SourceControlType {
  const found = sourceControlTypes.find((t) => t.toLowerCase() === value.toLowerCase());
  if (!found) throw new DomainError('invalidInput', `Source control type must be Git or Tfvc, not "${value}".`);
  return found;
}

function validDescription(description: string): string {
  if (description.length > 4000) throw new DomainError('invalidInput', 'Description must be at most 4000 characters.');
  return description;
}

function statesFor(filter: string | undefined): readonly ProjectState[] | undefined {
  if (filter === undefined || filter === '') return ['wellFormed'];
  const state = parseEnum(projectStateNumbers, filter, 'stateFilter');
  // `unchanged` is the value clients send when they mean "do not filter on a new state"; it lists every state.
  if (state === 'all' || state === 'unchanged') return undefined;
  return [state];
}

/** The spec's continuation token is an integer: how many projects the earlier pages held. */
function offsetOf(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  if (!/^\d{1,9}$/.test(token.trim())) {
    throw new DomainError('invalidInput', `The continuation token "${token}" is not valid: it must be a non-negative integer.`);
  }
  return Number(token);
}

function projectExists(name: string): DomainError {
  return new DomainError(
    'projectExists',
    `TF200019: The following project already exists on the Azure DevOps Server: ${name}. You cannot create a new project with the same name as an existing project.`,
  );
}

export class ProjectService {
  /**
   * Found projects by `{organization id, id or name}` as URLs and build pages name them, reused for the cache's lifetime
   * (the bound on seeing another instance's rename or removal); this service's own changes drop the cache at once.
   * Misses are never kept, so a project created elsewhere is seen at once.
   */
  private readonly cache: TtlCache<string, Project | undefined>;

  constructor(
    private readonly context: ServiceContext,
    options: { cacheMs: number } = { cacheMs: 0 },
  ) {
    this.cache = new TtlCache(context.clock, { ttlMs: options.cacheMs, maxEntries: 10_000 });
  }

  /** Drops every cached project (on this service's changes, and for a change feed from other instances). */
  invalidate(): void {
    this.cache.clear();
  }

  private cached(key: string, load: () => Promise<Project | undefined>): Promise<Project | undefined> {
    return this.cache.getOrLoad(key, load, (found) => found !== undefined);
  }

  async add(organizationId: string, input: NewProject): Promise<Project> {
    const name = validateName('project', input.name);
    const project: Project = {
      id: this.context.newId(),
      organizationId,
      name,
      description: validDescription(input.description ?? ''),
      visibility: parseVisibility(input.visibility ?? 'private'),
      state: 'wellFormed',
      revision: 1,
      lastUpdateTime: this.context.clock.now().toISOString(),
      sourceControlType: parseSourceControlType(input.sourceControlType ?? 'Git'),
      processTemplateId: parseProcessTemplateId(input.processTemplateId ?? defaultProcessTemplateId),
    };
    try {
      if (await this.context.store.projects.findByName(organizationId, name)) throw new DuplicateKeyError(name);
      await this.context.store.transaction(async (repositories) => {
        await repositories.projects.insert(project);
        await repositories.teams.insert(defaultTeamFor(project, this.context.newId()));
      });
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw projectExists(name);
      throw error;
    }
    return project;
  }

  /** Finds a project by GUID or by name, as Azure DevOps URLs allow either. */
  async find(organizationId: string, idOrName: string): Promise<Project | undefined> {
    return this.cached(`${organizationId}/${idOrName}`, async () => {
      if (isGuid(idOrName)) {
        const byId = await this.context.store.projects.findById(organizationId, idOrName);
        if (byId) return byId;
      }
      return this.context.store.projects.findByName(organizationId, idOrName);
    });
  }

  async get(organizationId: string, idOrName: string): Promise<Project> {
    const project = await this.find(organizationId, idOrName);
    if (!project) {
      // Azure DevOps words the miss by id and by name differently.
      const message = isGuid(idOrName)
        ? `VS800075: The project with id '${idOrName}' does not exist, or you do not have permission to access it.`
        : `TF200016: The following project does not exist: ${idOrName}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`;
      throw new DomainError('projectNotFound', message);
    }
    return project;
  }

  async findById(organizationId: string, id: string): Promise<Project | undefined> {
    return this.cached(`${organizationId}/id/${id}`, () => this.context.store.projects.findById(organizationId, id));
  }

  listAll(organizationId: string): Promise<Project[]> {
    return this.context.store.projects.list({ organizationId, limit: 100_000 });
  }

  /** A page in name order; the continuation token counts the projects before it, as on Azure DevOps. */
  async list(organizationId: string, options: ProjectListOptions): Promise<ProjectPage> {
    const top = options.top ?? defaultProjectTop;
    const offset = offsetOf(options.continuationToken) + (options.skip ?? 0);
    const states = statesFor(options.stateFilter);
    const rows = await this.context.store.projects.list({
      organizationId,
      ...(states && { states }),
      offset,
      limit: top + 1,
    });
    const page = rows.slice(0, top);
    return { projects: page, ...(rows.length > top && { continuationToken: String(offset + top) }) };
  }

  async update(organizationId: string, idOrName: string, input: ProjectUpdate): Promise<Project> {
    const project = await this.get(organizationId, idOrName);
    const changes: ProjectChanges = {
      revision: project.revision + 1,
      lastUpdateTime: this.context.clock.now().toISOString(),
    };
    if (input.name !== undefined && input.name !== project.name) {
      changes.name = validateName('project', input.name);
      const clash = await this.context.store.projects.findByName(organizationId, input.name);
      if (clash && clash.id !== project.id) {
        throw projectExists(input.name);
      }
    }
    if (input.description !== undefined) changes.description = validDescription(input.description);
    if (input.visibility !== undefined) changes.visibility = parseVisibility(input.visibility);
    try {
      await this.context.store.projects.update(organizationId, project.id, changes);
      this.invalidate();
      // Builds name their project: their rendered pages go too.
      await this.context.credentials.changed('builds', organizationId);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw projectExists(input.name ?? project.name);
      throw error;
    }
    const { revision, lastUpdateTime, ...rest } = changes;
    return { ...project, ...rest, revision, lastUpdateTime };
  }

  /** Removes the project with its definitions and builds. */
  async remove(organizationId: string, idOrName: string): Promise<Project> {
    const project = await this.get(organizationId, idOrName);
    await this.context.store.projects.delete(organizationId, project.id);
    this.invalidate();
    await this.context.credentials.changed('builds', organizationId);
    return project;
  }
}
