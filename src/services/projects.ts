import type { Project, ProjectState, ProjectVisibility, SourceControlType } from '../domain/entities.js';
import { projectVisibilities, sourceControlTypes } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { isGuid } from '../domain/guid.js';
import { validateName } from '../domain/names.js';
import { defaultProcessTemplateId, parseProcessTemplateId } from '../domain/process-templates.js';
import { DuplicateKeyError, type ProjectChanges } from '../storage/ports.js';
import type { ServiceContext } from './context.js';

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

const projectStates: readonly ProjectState[] = ['new', 'wellFormed', 'deleting', 'createPending', 'deleted'];
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
  const wanted = filter.toLowerCase();
  // `unchanged` is the value clients send when they mean "do not filter on a new state"; it lists every state.
  if (wanted === 'all' || wanted === 'unchanged') return undefined;
  const state = projectStates.find((s) => s.toLowerCase() === wanted);
  if (!state) {
    throw new DomainError(
      'invalidInput',
      `stateFilter must be one of ${[...projectStates, 'all', 'unchanged'].join(', ')}, not "${filter}".`,
    );
  }
  return [state];
}

/** Continuation tokens carry the lower-cased name of the first project of the next page, base64url so any name fits a header. */
function encodeToken(nameKey: string): string {
  return Buffer.from(nameKey, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new DomainError('invalidInput', `The continuation token "${token}" is not valid.`);
  return Buffer.from(token, 'base64url').toString('utf8');
}

export class ProjectService {
  constructor(private readonly context: ServiceContext) {}

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
      await this.context.store.projects.insert(project);
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        throw new DomainError('projectExists', `Project "${name}" already exists in this organization.`);
      }
      throw error;
    }
    return project;
  }

  /** Finds a project by GUID or by name, as Azure DevOps URLs allow either. */
  async find(organizationId: string, idOrName: string): Promise<Project | undefined> {
    if (isGuid(idOrName)) {
      const byId = await this.context.store.projects.findById(organizationId, idOrName);
      if (byId) return byId;
    }
    return this.context.store.projects.findByName(organizationId, idOrName);
  }

  async get(organizationId: string, idOrName: string): Promise<Project> {
    const project = await this.find(organizationId, idOrName);
    if (!project) {
      throw new DomainError(
        'projectNotFound',
        `VS800075: The project with id '${idOrName}' does not exist, or you do not have permission to access it.`,
      );
    }
    return project;
  }

  async findById(organizationId: string, id: string): Promise<Project | undefined> {
    return this.context.store.projects.findById(organizationId, id);
  }

  listAll(organizationId: string): Promise<Project[]> {
    return this.context.store.projects.list({ organizationId, limit: 100_000 });
  }

  /**
   * A page in name order. Pages follow a keyset cursor (the continuation token); `$skip` drops rows after
   * the cursor, which is cheap because an organization holds at most a few hundred projects.
   */
  async list(organizationId: string, options: ProjectListOptions): Promise<ProjectPage> {
    const top = options.top ?? defaultProjectTop;
    const skip = options.skip ?? 0;
    const states = statesFor(options.stateFilter);
    const rows = await this.context.store.projects.list({
      organizationId,
      ...(states && { states }),
      ...(options.continuationToken && { fromNameKey: decodeToken(options.continuationToken) }),
      limit: skip + top + 1,
    });
    const page = rows.slice(skip, skip + top);
    const next = rows[skip + top];
    return { projects: page, ...(next && { continuationToken: encodeToken(next.name.toLowerCase()) }) };
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
        throw new DomainError('projectExists', `Project "${input.name}" already exists in this organization.`);
      }
    }
    if (input.description !== undefined) changes.description = validDescription(input.description);
    if (input.visibility !== undefined) changes.visibility = parseVisibility(input.visibility);
    try {
      await this.context.store.projects.update(organizationId, project.id, changes);
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        throw new DomainError('projectExists', `Project "${input.name}" already exists in this organization.`);
      }
      throw error;
    }
    const { revision, lastUpdateTime, ...rest } = changes;
    return { ...project, ...rest, revision, lastUpdateTime };
  }

  /** Removes the project with its definitions and builds. */
  async remove(organizationId: string, idOrName: string): Promise<Project> {
    const project = await this.get(organizationId, idOrName);
    await this.context.store.projects.delete(organizationId, project.id);
    return project;
  }
}
