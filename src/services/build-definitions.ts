import { parseIdList, parseTime } from '../domain/build-query.js';
import {
  type BuildDefinition,
  type DefinitionQueryOrder,
  type DefinitionSettings,
  defaultBuildNumberFormat,
  definitionQueryOrders,
  definitionQueueStatuses,
  jobAuthorizationScopes,
  parseEnum,
} from '../domain/builds.js';
import type { Project, User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { validateName } from '../domain/names.js';
import type { Repositories } from '../storage/ports.js';
import type { ServiceContext } from './context.js';
import { topicCache } from './topic-cache.js';
import type { TtlCache } from './ttl-cache.js';

/** A definition as a client sends it: every field optional, shapes already checked by the HTTP schema. */
export interface DefinitionInput {
  name?: string | undefined;
  path?: string | undefined;
  revision?: number | undefined;
  queueStatus?: string | number | undefined;
  buildNumberFormat?: string | undefined;
  description?: string | undefined;
  comment?: string | undefined;
  repository?: Record<string, unknown> | undefined;
  process?: Record<string, unknown> | undefined;
  queue?: Record<string, unknown> | undefined;
  variables?: Record<string, unknown> | undefined;
  variableGroups?: unknown[] | undefined;
  triggers?: unknown[] | undefined;
  options?: unknown[] | undefined;
  demands?: unknown[] | undefined;
  retentionRules?: unknown[] | undefined;
  properties?: Record<string, unknown> | undefined;
  tags?: string[] | undefined;
  jobTimeoutInMinutes?: number | undefined;
  jobCancelTimeoutInMinutes?: number | undefined;
  jobAuthorizationScope?: string | number | undefined;
  badgeEnabled?: boolean | undefined;
}

export interface DefinitionListOptions {
  name?: string | undefined;
  queryOrder?: string | undefined;
  top?: number | undefined;
  continuationToken?: string | undefined;
  definitionIds?: string | undefined;
  path?: string | undefined;
  repositoryId?: string | undefined;
  repositoryType?: string | undefined;
  builtAfter?: string | undefined;
  notBuiltAfter?: string | undefined;
}

/** `definitionToCloneId` / `definitionToCloneRevision`: the definition (and revision) a new one starts from. */
export interface CloneSource {
  id: number;
  revision?: number | undefined;
}

/** One entry of a definition's history, as the revisions list shows it. */
export interface DefinitionRevision {
  revision: number;
  name: string;
  changeType: 'add' | 'update';
  changedById: string;
  changedDate: string;
  comment: string;
}

export interface DefinitionPage {
  definitions: BuildDefinition[];
  continuationToken?: string;
}

const defaultTop = 1000;

function notFound(id: number | string): DomainError {
  return new DomainError('definitionNotFound', `Build pipeline ${id} was not found.`);
}

/** Folders are `\`-separated and rooted; clients also send `/`. */
export function normalizePath(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return '\\';
  const segments = value
    .replaceAll('/', '\\')
    .split('\\')
    .filter((segment) => segment !== '');
  for (const segment of segments) validateName('definition', segment);
  return `\\${segments.join('\\')}`;
}

function defaultSettings(project: Project): DefinitionSettings {
  return {
    description: '',
    comment: '',
    repository: {
      id: project.id,
      type: project.sourceControlType === 'Git' ? 'TfsGit' : 'TfsVersionControl',
      name: project.name,
      defaultBranch: 'refs/heads/main',
      clean: null,
      checkoutSubmodules: false,
    },
    process: { type: 2, yamlFilename: 'azure-pipelines.yml' },
    queue: { id: 1, name: 'Azure Pipelines', pool: { id: 1, name: 'Azure Pipelines', isHosted: true } },
    variables: {},
    variableGroups: [],
    triggers: [],
    options: [],
    demands: [],
    retentionRules: [],
    properties: {},
    tags: [],
    jobTimeoutInMinutes: 60,
    jobCancelTimeoutInMinutes: 5,
    jobAuthorizationScope: 'projectCollection',
    badgeEnabled: false,
  };
}

function positiveMinutes(value: number | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 1_000_000) {
    throw new DomainError('invalidInput', `${what} must be a whole number of minutes.`);
  }
  return value;
}

/**
 * Variables as stored: a secret's value is dropped. Lapis runs no pipeline that could use it, so it keeps nothing
 * it would have to protect, and answers `value: null` for secrets as Azure DevOps does.
 */
function storedVariables(variables: Record<string, unknown>): Record<string, unknown> {
  const stored: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(variables)) {
    if (typeof variable !== 'object' || variable === null || Array.isArray(variable)) {
      throw new DomainError('invalidInput', `Variable "${name}" must be an object such as {"value": "...", "isSecret": false}.`);
    }
    const { value, isSecret } = variable as { value?: unknown; isSecret?: unknown };
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new DomainError('invalidInput', `The value of variable "${name}" must be a string.`);
    }
    if (isSecret !== undefined && typeof isSecret !== 'boolean') {
      throw new DomainError('invalidInput', `isSecret of variable "${name}" must be true or false.`);
    }
    stored[name] = isSecret === true ? { ...variable, value: null } : variable;
  }
  return stored;
}

/** Variable groups are referenced by id, as Azure DevOps stores them on a definition. */
function validVariableGroups(groups: unknown[]): unknown[] {
  for (const group of groups) {
    const id = (group as { id?: unknown } | null)?.id;
    if (typeof group !== 'object' || group === null || !Number.isInteger(id) || (id as number) < 0) {
      throw new DomainError('invalidInput', 'Each variable group needs its integer id: {"id": 1}.');
    }
  }
  return groups;
}

function mergeSettings(base: DefinitionSettings, input: DefinitionInput): DefinitionSettings {
  const description = input.description ?? base.description;
  if (description.length > 4000) throw new DomainError('invalidInput', 'Description must be at most 4000 characters.');
  const comment = input.comment ?? '';
  if (comment.length > 2048) throw new DomainError('invalidInput', 'comment must be at most 2048 characters.');
  return {
    description,
    comment,
    repository: input.repository ? { ...base.repository, ...input.repository } : base.repository,
    process: input.process ?? base.process,
    queue: input.queue ?? base.queue,
    variables: input.variables ? storedVariables(input.variables) : base.variables,
    variableGroups: input.variableGroups ? validVariableGroups(input.variableGroups) : base.variableGroups,
    triggers: input.triggers ?? base.triggers,
    options: input.options ?? base.options,
    demands: input.demands ?? base.demands,
    retentionRules: input.retentionRules ?? base.retentionRules,
    properties: input.properties ?? base.properties,
    tags: input.tags ?? base.tags,
    jobTimeoutInMinutes: positiveMinutes(input.jobTimeoutInMinutes, 'jobTimeoutInMinutes', base.jobTimeoutInMinutes),
    jobCancelTimeoutInMinutes: positiveMinutes(
      input.jobCancelTimeoutInMinutes,
      'jobCancelTimeoutInMinutes',
      base.jobCancelTimeoutInMinutes,
    ),
    jobAuthorizationScope:
      input.jobAuthorizationScope === undefined
        ? base.jobAuthorizationScope
        : parseEnum(jobAuthorizationScopes, input.jobAuthorizationScope, 'jobAuthorizationScope'),
    badgeEnabled: input.badgeEnabled ?? base.badgeEnabled,
  };
}

function validFormat(value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  if (value.length > 255) throw new DomainError('invalidInput', 'buildNumberFormat must be at most 255 characters.');
  return value;
}

/** Opaque to clients: the ordering key and id of the first definition of the next page. */
function encodeToken(key: string, id: number): string {
  return Buffer.from(JSON.stringify([key, id]), 'utf8').toString('base64url');
}

function decodeToken(token: string): { key: string; id: number } {
  try {
    const [key, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof key === 'string' && Number.isInteger(id)) return { key, id: id as number };
  } catch {
    // Falls through to the refusal below.
  }
  throw new DomainError('invalidInput', `The continuation token "${token}" is not valid.`);
}

/** Azure DevOps lists a definition's folder (and the folders above it) once a definition lives there. */
async function ensureFolders(repositories: Repositories, definition: BuildDefinition, author: User, now: string): Promise<void> {
  const segments = definition.path.split('\\').filter(Boolean);
  for (let depth = 1; depth <= segments.length; depth++) {
    await repositories.folders.insert({
      organizationId: definition.organizationId,
      projectId: definition.projectId,
      path: `\\${segments.slice(0, depth).join('\\')}`,
      description: '',
      createdById: author.id,
      createdOn: now,
      lastChangedById: author.id,
      lastChangedDate: now,
    });
  }
}

function orderKey(definition: BuildDefinition, order: DefinitionQueryOrder): string {
  if (order.startsWith('definitionName')) return definition.name.toLowerCase();
  if (order.startsWith('lastModified')) return definition.modifiedDate;
  return '';
}

export class BuildDefinitionService {
  /**
   * Definitions by `{organization id}/{id}` for rendering builds, where every page of builds names its pipelines.
   * Reused for the cache's lifetime; any instance's change to a definition drops them (the `definitions` notice).
   */
  private readonly rendered: TtlCache<string, BuildDefinition>;

  constructor(
    private readonly context: ServiceContext,
    options: { cacheMs: number } = { cacheMs: 0 },
  ) {
    this.rendered = topicCache(context, 'definitions', options.cacheMs);
  }

  /** Creates a definition; with a clone source, the body's fields apply over a copy of that definition (or revision). */
  async create(project: Project, author: User, input: DefinitionInput, cloneOf?: CloneSource): Promise<BuildDefinition> {
    const source = cloneOf && (await this.get(project, cloneOf.id, cloneOf.revision));
    const nameInput = input.name ?? source?.name;
    if (nameInput === undefined) throw new DomainError('invalidInput', 'A build pipeline needs a name.');
    const name = validateName('definition', nameInput);
    const path = input.path === undefined && source ? source.path : normalizePath(input.path);
    const now = this.context.clock.now().toISOString();
    const settings = mergeSettings(source?.settings ?? defaultSettings(project), input);
    const queueStatus =
      input.queueStatus === undefined
        ? (source?.queueStatus ?? 'enabled')
        : parseEnum(definitionQueueStatuses, input.queueStatus, 'queueStatus');
    const buildNumberFormat = validFormat(input.buildNumberFormat, source?.buildNumberFormat ?? defaultBuildNumberFormat);
    return this.context.store.transaction(async (repositories) => {
      if (await repositories.definitions.findByName(project.organizationId, project.id, path, name)) {
        throw new DomainError('definitionExists', `A build pipeline named "${name}" already exists in folder ${path}.`);
      }
      const definition: BuildDefinition = {
        organizationId: project.organizationId,
        id: await repositories.counters.next(project.organizationId, 'definition'),
        projectId: project.id,
        name,
        path,
        revision: 1,
        queueStatus,
        buildNumberFormat,
        createdDate: now,
        modifiedDate: now,
        authoredById: author.id,
        deleted: false,
        settings,
      };
      await repositories.definitions.insert(definition);
      await ensureFolders(repositories, definition, author, now);
      return definition;
    });
  }

  /** A live definition of the project, or the given revision of it. */
  async get(project: Project, id: number, revision?: number): Promise<BuildDefinition> {
    const definition = await this.context.store.definitions.find(project.organizationId, id, project.id);
    if (!definition || definition.deleted) throw notFound(id);
    if (revision === undefined || revision === definition.revision) return definition;
    const old = await this.context.store.definitions.findRevision(project.organizationId, id, revision);
    if (!old) throw new DomainError('definitionNotFound', `Build pipeline ${id} has no revision ${revision}.`);
    return old;
  }

  async list(project: Project, options: DefinitionListOptions): Promise<DefinitionPage> {
    const order: DefinitionQueryOrder =
      options.queryOrder === undefined || options.queryOrder === ''
        ? 'none'
        : parseEnum(definitionQueryOrders, options.queryOrder, 'queryOrder');
    const top = options.top ?? defaultTop;
    if (top === 0) return { definitions: [] };
    const rows = await this.context.store.definitions.list({
      organizationId: project.organizationId,
      projectId: project.id,
      ...(options.name && { namePattern: options.name.toLowerCase() }),
      ...(options.definitionIds && { ids: parseIdList(options.definitionIds, 'definitionIds') }),
      ...(options.path && { path: normalizePath(options.path).toLowerCase() }),
      ...(options.repositoryId && { repositoryId: options.repositoryId.toLowerCase() }),
      ...(options.repositoryType && { repositoryType: options.repositoryType.toLowerCase() }),
      ...(options.builtAfter && { builtAfter: parseTime(options.builtAfter, 'builtAfter') }),
      ...(options.notBuiltAfter && { notBuiltAfter: parseTime(options.notBuiltAfter, 'notBuiltAfter') }),
      order,
      ...(options.continuationToken && { from: decodeToken(options.continuationToken) }),
      limit: top + 1,
    });
    const next = rows[top];
    return {
      definitions: rows.slice(0, top),
      ...(next && { continuationToken: encodeToken(orderKey(next, order), next.id) }),
    };
  }

  /** Replaces the definition; the body's revision must be the current one, as Azure DevOps requires. */
  async update(project: Project, id: number, author: User, input: DefinitionInput): Promise<BuildDefinition> {
    const current = await this.get(project, id);
    if (input.revision === undefined || input.revision !== current.revision) {
      throw new DomainError(
        'definitionRevisionConflict',
        `The pipeline ${id} was updated by another client: its revision is ${current.revision}, the request is based on revision ${input.revision ?? '(none)'}. Get the pipeline again and reapply the change.`,
      );
    }
    const name = input.name === undefined ? current.name : validateName('definition', input.name);
    const path = input.path === undefined ? current.path : normalizePath(input.path);
    const updated: BuildDefinition = {
      ...current,
      name,
      path,
      revision: current.revision + 1,
      queueStatus:
        input.queueStatus === undefined
          ? current.queueStatus
          : parseEnum(definitionQueueStatuses, input.queueStatus, 'queueStatus'),
      buildNumberFormat: validFormat(input.buildNumberFormat, current.buildNumberFormat),
      modifiedDate: this.context.clock.now().toISOString(),
      authoredById: author.id,
      settings: mergeSettings(current.settings, input),
    };
    return this.context.store
      .transaction(async (repositories) => {
        const clash = await repositories.definitions.findByName(project.organizationId, project.id, path, name);
        if (clash && clash.id !== id) {
          throw new DomainError('definitionExists', `A build pipeline named "${name}" already exists in folder ${path}.`);
        }
        if (!(await repositories.definitions.update(updated, current.revision))) {
          throw new DomainError('definitionRevisionConflict', `The pipeline ${id} was updated by another client; get it again.`);
        }
        await ensureFolders(repositories, updated, author, updated.modifiedDate);
        await repositories.changes.publish('definitions', project.organizationId);
        return updated;
      })
      .finally(() => this.context.credentials.changedHere('definitions', project.organizationId));
  }

  /** Brings a deleted definition back (`PATCH …/definitions/{id}?deleted=false`); a live one is returned as it is. */
  async restore(project: Project, id: number): Promise<BuildDefinition> {
    const current = await this.context.store.definitions.find(project.organizationId, id, project.id);
    if (!current) throw notFound(id);
    if (!current.deleted) return current;
    return this.context.store
      .transaction(async (repositories) => {
        const clash = await repositories.definitions.findByName(project.organizationId, project.id, current.path, current.name);
        if (clash) {
          throw new DomainError(
            'definitionExists',
            `A build pipeline named "${current.name}" already exists in folder ${current.path}; rename it before restoring ${id}.`,
          );
        }
        const restored: BuildDefinition = { ...current, deleted: false, modifiedDate: this.context.clock.now().toISOString() };
        await repositories.definitions.update(restored, current.revision);
        await repositories.changes.publish('definitions', project.organizationId);
        return restored;
      })
      .finally(() => this.context.credentials.changedHere('definitions', project.organizationId));
  }

  /** The history of a live definition, oldest first. */
  async revisions(project: Project, id: number): Promise<DefinitionRevision[]> {
    await this.get(project, id);
    const revisions = await this.context.store.definitions.listRevisions(project.organizationId, id);
    return revisions.map((revision) => ({
      revision: revision.revision,
      name: revision.name,
      changeType: revision.revision === 1 ? 'add' : 'update',
      changedById: revision.authoredById,
      changedDate: revision.modifiedDate,
      comment: revision.settings.comment,
    }));
  }

  /** A live definition named by id or by name (with or without its folder), as the latest-build and badge routes take it. */
  async findByIdOrName(project: Project, definition: string): Promise<BuildDefinition> {
    if (definition.trim() === '') throw new DomainError('invalidInput', 'Name the pipeline by id or name in the URL.');
    if (/^\d{1,9}$/.test(definition)) return this.get(project, Number(definition));
    const path = normalizePath(definition);
    const name = path.slice(path.lastIndexOf('\\') + 1);
    const folder = path.slice(0, path.lastIndexOf('\\')) || '\\';
    const named =
      definition.includes('\\') || definition.includes('/')
        ? await this.context.store.definitions.findByName(project.organizationId, project.id, folder, name)
        : (
            await this.context.store.definitions.list({
              organizationId: project.organizationId,
              projectId: project.id,
              namePattern: name.replaceAll('*', '').toLowerCase(),
              order: 'none',
              limit: 2,
            })
          )[0];
    if (!named) throw notFound(definition);
    return named;
  }

  /** Marks the definition deleted; its builds stay readable. */
  async remove(project: Project, id: number): Promise<void> {
    const current = await this.get(project, id);
    const deleted: BuildDefinition = { ...current, deleted: true, modifiedDate: this.context.clock.now().toISOString() };
    await this.context.store.definitions.update(deleted, current.revision);
    await this.context.credentials.changed('definitions', project.organizationId);
  }

  /** Definitions by id, deleted ones included (builds keep naming their pipeline). */
  async byIds(organizationId: string, ids: readonly number[]): Promise<Map<number, BuildDefinition>> {
    const found = new Map<number, BuildDefinition>();
    const missing: number[] = [];
    for (const id of new Set(ids)) {
      const cached = this.rendered.get(`${organizationId}/${id}`);
      if (cached) found.set(id, cached);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const loadedIn = this.rendered.epoch;
    for (const definition of await this.context.store.definitions.findByIds(organizationId, missing)) {
      this.rendered.set(`${organizationId}/${definition.id}`, definition, loadedIn);
      found.set(definition.id, definition);
    }
    return found;
  }
}
