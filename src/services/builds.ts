import { setImmediate } from 'node:timers/promises';
import { expandBuildNumber } from '../domain/build-number.js';
import {
  type BuildCursor,
  type BuildQuery,
  encodeBuildCursor,
  notYetTime,
  parseBuildQuery,
  parseIdList,
  parseTime,
  type RawBuildQuery,
} from '../domain/build-query.js';
import { checkTagCount, validTags } from '../domain/build-tags.js';
import {
  type Build,
  type BuildDefinition,
  type BuildReason,
  type BuildResult,
  type BuildStatus,
  buildPriorities,
  buildReasons,
  buildResults,
  buildStatuses,
  canMove,
  parseDemand,
  parseEnum,
} from '../domain/builds.js';
import type { Project, User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import type { Repositories } from '../storage/ports.js';
import type { ServiceContext } from './context.js';

export interface QueueRequest {
  definitionId: number;
  sourceBranch?: string | undefined;
  sourceVersion?: string | undefined;
  parameters?: string | undefined;
  templateParameters?: Record<string, string> | undefined;
  reason?: string | number | undefined;
  priority?: string | number | undefined;
  tags?: string[] | undefined;
  demands?: unknown[] | undefined;
}

export interface BuildChanges {
  status?: string | number | undefined;
  result?: string | number | undefined;
  buildNumber?: string | undefined;
  startTime?: string | undefined;
  finishTime?: string | undefined;
  sourceBranch?: string | undefined;
  sourceVersion?: string | undefined;
  retainedByRelease?: boolean | undefined;
  keepForever?: boolean | undefined;
  /** Fixed at queue time: a round trip may carry them back unchanged, a different value is refused. */
  priority?: string | number | undefined;
  demands?: unknown[] | undefined;
}

/** The list parameters this service reads itself; the rest are the domain's build query. */
export interface BuildListRequest extends RawBuildQuery {
  maxBuildsPerDefinition?: string;
  repositoryId?: string;
  repositoryType?: string;
  queues?: string;
}

/**
 * Builds one `PATCH _apis/build/builds` may change. Azure DevOps states no limit; each build is a read, a write and
 * a rendering, so a batch is bounded and yields between builds.
 */
export const maxBuildsPerUpdate = 100;

export interface BuildPage {
  builds: Build[];
  continuationToken?: string;
}

function optionalCount(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value.trim()) || Number(value) === 0) {
    throw new DomainError('invalidInput', `${what} must be a positive integer, not "${value}".`);
  }
  return Number(value);
}

function notFound(id: number | string): DomainError {
  return new DomainError('buildNotFound', `The requested build ${id} could not be found.`);
}

function refused(message: string): DomainError {
  return new DomainError('invalidBuildUpdate', message);
}

/** Clients send `main`, `refs/heads/main` or a full ref; builds carry full refs. */
export function normalizeBranch(branch: string): string {
  const trimmed = branch.trim();
  if (trimmed === '' || trimmed.length > 400 || /[\s\p{Cc}]/u.test(trimmed)) {
    throw new DomainError('invalidInput', `"${branch}" is not a valid branch name.`);
  }
  return trimmed.startsWith('refs/') ? trimmed : `refs/heads/${trimmed}`;
}

const maxDemands = 100;

function validDemands(demands: readonly unknown[]): string[] {
  if (demands.length > maxDemands) throw new DomainError('invalidInput', `A build may carry at most ${maxDemands} demands.`);
  return [...new Set(demands.map(parseDemand))];
}

/** Times a client stamps with its own clock: kept where they fit, moved up just enough to keep queue <= start <= finish. */
function coherentTimes(build: Build): void {
  if (build.startTime !== null && build.startTime < build.queueTime) build.startTime = build.queueTime;
  const floor = build.startTime ?? build.queueTime;
  if (build.finishTime !== null && build.finishTime < floor) build.finishTime = floor;
}

function orderTime(build: Build, query: BuildQuery): string {
  return build[query.timeField] ?? notYetTime;
}

export class BuildService {
  constructor(private readonly context: ServiceContext) {}

  /** Queues a build of a live definition of the project; the caller is who requested it. */
  async queue(project: Project, requester: User, request: QueueRequest): Promise<Build> {
    const reason: BuildReason = request.reason === undefined ? 'manual' : this.singleReason(request.reason);
    const priority = request.priority === undefined ? 'normal' : parseEnum(buildPriorities, request.priority, 'priority');
    const tags = validTags(request.tags ?? []);
    checkTagCount(tags.length);
    const demands = validDemands(request.demands ?? []);
    const sourceVersion = request.sourceVersion ?? '';
    if (sourceVersion.length > 400) throw new DomainError('invalidInput', 'sourceVersion must be at most 400 characters.');
    const queueTime = this.context.clock.now();
    const { organizationId } = project;
    return this.context.store
      .transaction(async (repositories) => {
        const definition = await repositories.definitions.find(project.organizationId, request.definitionId, project.id);
        if (!definition || definition.deleted) {
          throw new DomainError('definitionNotFound', `Build pipeline ${request.definitionId} was not found.`);
        }
        if (definition.queueStatus === 'disabled') {
          throw new DomainError(
            'buildRequestInvalid',
            `Could not queue the build because there were validation errors or warnings. The pipeline ${definition.name} is disabled.`,
          );
        }
        const defaultBranch = definition.settings.repository.defaultBranch;
        const sourceBranch = normalizeBranch(
          request.sourceBranch ?? (typeof defaultBranch === 'string' ? defaultBranch : 'refs/heads/main'),
        );
        const id = await repositories.counters.next(project.organizationId, 'build');
        const { buildNumber, buildNumberRevision } = await this.number(repositories, definition, project, {
          id,
          queueTime,
          sourceBranch,
        });
        const build: Build = {
          organizationId: project.organizationId,
          id,
          projectId: project.id,
          definitionId: definition.id,
          definitionRevision: definition.revision,
          buildNumber,
          buildNumberRevision,
          // A paused pipeline accepts builds but does not start them.
          status: definition.queueStatus === 'paused' ? 'postponed' : 'notStarted',
          result: null,
          reason,
          priority,
          queueTime: queueTime.toISOString(),
          startTime: null,
          finishTime: null,
          sourceBranch,
          sourceVersion,
          requestedForId: requester.id,
          requestedById: requester.id,
          lastChangedById: requester.id,
          lastChangedDate: queueTime.toISOString(),
          tags,
          demands,
          parameters: request.parameters ?? null,
          templateParameters: request.templateParameters ?? {},
          triggerInfo: {},
          retainedByRelease: false,
          keepForever: false,
          deleted: false,
          deletedDate: null,
          deletedById: null,
        };
        await repositories.builds.insert(build);
        await repositories.changes.publish('builds', organizationId);
        return build;
      })
      .finally(() => this.context.credentials.changedHere('builds', organizationId));
  }

  private singleReason(value: string | number): BuildReason {
    const reason = parseEnum(buildReasons, value, 'reason');
    if (reason === 'none' || reason === 'triggered' || reason === 'all') {
      throw new DomainError('invalidInput', `A build needs a single reason, not "${String(value)}".`);
    }
    return reason;
  }

  private async number(
    repositories: Repositories,
    definition: BuildDefinition,
    project: Project,
    build: { id: number; queueTime: Date; sourceBranch: string },
  ): Promise<{ buildNumber: string; buildNumberRevision: number | null }> {
    const expanded = expandBuildNumber(definition.buildNumberFormat, {
      queueTime: build.queueTime,
      buildId: build.id,
      definitionName: definition.name,
      projectName: project.name,
      sourceBranch: build.sourceBranch,
    });
    if (expanded.revisionKey === null) return { buildNumber: expanded.render(null), buildNumberRevision: null };
    const revision = await repositories.counters.next(
      project.organizationId,
      `buildNumber:${definition.id}:${expanded.revisionKey.toLowerCase()}`,
    );
    return { buildNumber: expanded.render(revision), buildNumberRevision: revision };
  }

  /** `project` undefined: any project of the organization (the organization-level route). */
  async get(organizationId: string, project: Project | undefined, id: number): Promise<Build> {
    const build = await this.context.store.builds.find(organizationId, id);
    if (!build || (project && build.projectId !== project.id)) throw notFound(id);
    return build;
  }

  async list(organizationId: string, project: Project | undefined, raw: BuildListRequest): Promise<BuildPage> {
    const query = parseBuildQuery(raw);
    if (query.top === 0) return { builds: [] };
    const maxPerDefinition = optionalCount(raw.maxBuildsPerDefinition, 'maxBuildsPerDefinition');
    const pipelines = {
      ...(raw.repositoryId && { repositoryId: raw.repositoryId.trim().toLowerCase() }),
      ...(raw.repositoryType && { repositoryType: raw.repositoryType.trim().toLowerCase() }),
      ...(raw.queues && { queueIds: parseIdList(raw.queues, 'queues').map(String) }),
    };
    const requestedForIds = query.requestedFor === undefined ? undefined : await this.peopleNamed(query.requestedFor);
    if (requestedForIds?.length === 0) return { builds: [] };
    const rows = await this.context.store.builds.list({
      organizationId,
      ...(project && { projectId: project.id }),
      ...(requestedForIds && { requestedForIds }),
      ...(Object.keys(pipelines).length > 0 && { pipelines }),
      ...(maxPerDefinition !== undefined && { maxPerDefinition }),
      query,
      limit: query.top + 1,
    });
    const page = rows.slice(0, query.top);
    const next = rows[query.top];
    if (!next) return { builds: page };
    const last = page[page.length - 1];
    const cursor: BuildCursor = { time: orderTime(next, query) };
    // Only when a timestamp is shared across the page boundary does the token need the id to resume exactly.
    if (last && orderTime(last, query) === cursor.time) cursor.id = next.id;
    return { builds: page, continuationToken: encodeBuildCursor(cursor) };
  }

  /** Who `requestedFor` names: a username, a user id, or the uniqueName (email) Lapis reports. */
  private async peopleNamed(name: string): Promise<string[]> {
    const { users } = this.context.store;
    const byName = await users.findByUsername(name);
    if (byName) return [byName.id];
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name)) {
      const byId = await users.findById(name.toLowerCase());
      if (byId) return [byId.id];
    }
    return (await users.findByEmail(name)).map((user) => user.id);
  }

  /** The newest completed build of a definition (on a branch, when given), as `_apis/build/latest/{definition}` serves it. */
  async latest(project: Project, definitionId: number, branchName: string | undefined): Promise<Build> {
    const build = await this.newest(project, definitionId, { completed: true, branchName });
    if (!build) {
      throw notFound(`of pipeline ${definitionId}${branchName ? ` on ${normalizeBranch(branchName)}` : ''} (none has completed)`);
    }
    return build;
  }

  /** The most recently queued build of a definition, or the most recently finished one when `completed`. */
  async newest(
    project: Project,
    definitionId: number,
    options: { completed: boolean; branchName?: string | undefined },
  ): Promise<Build | undefined> {
    const query = parseBuildQuery({
      definitions: String(definitionId),
      ...(options.completed
        ? { statusFilter: 'completed', queryOrder: 'finishTimeDescending' }
        : { queryOrder: 'queueTimeDescending' }),
      $top: '1',
      ...(options.branchName && { branchName: normalizeBranch(options.branchName) }),
    });
    const [build] = await this.context.store.builds.list({
      organizationId: project.organizationId,
      projectId: project.id,
      query,
      limit: 1,
    });
    return build;
  }

  async update(
    organizationId: string,
    project: Project | undefined,
    id: number,
    editor: User,
    changes: BuildChanges,
  ): Promise<Build> {
    const build = await this.get(organizationId, project, id);
    if (changes.priority !== undefined && parseEnum(buildPriorities, changes.priority, 'priority') !== build.priority) {
      throw refused(`The priority of build ${id} is set when it is queued and cannot be changed.`);
    }
    if (changes.demands !== undefined && validDemands(changes.demands).join('\n') !== build.demands.join('\n')) {
      throw refused(`The demands of build ${id} are set when it is queued and cannot be changed.`);
    }
    if (build.deleted) throw refused(`Build ${id} has been deleted and cannot be changed.`);
    const now = this.context.clock.now().toISOString();
    const next: Build = { ...build, lastChangedById: editor.id, lastChangedDate: now };

    if (changes.status !== undefined) {
      const requested = parseEnum(buildStatuses, changes.status, 'status');
      if (requested === 'none' || requested === 'all') throw refused(`A build cannot be set to status ${requested}.`);
      this.move(next, requested, now);
    }
    if (changes.result !== undefined) {
      const result = parseEnum(buildResults, changes.result, 'result');
      if (result !== 'none') {
        if (next.status !== 'completed') this.move(next, 'completed', now);
        next.result = result as BuildResult;
      }
    }
    if (next.status === 'completed' && next.result === null) {
      next.result = build.status === 'cancelling' ? 'canceled' : 'succeeded';
    }
    if (changes.startTime !== undefined) next.startTime = parseTime(changes.startTime, 'startTime');
    if (changes.finishTime !== undefined) next.finishTime = parseTime(changes.finishTime, 'finishTime');
    coherentTimes(next);
    if (changes.buildNumber !== undefined) {
      const number = changes.buildNumber.trim();
      if (number === '' || number.length > 255 || /[\p{Cc}"/:<>\\|?@*]/u.test(number) || number.endsWith('.')) {
        throw refused(`"${changes.buildNumber}" is not a valid build number.`);
      }
      next.buildNumber = number;
    }
    if (changes.sourceBranch !== undefined) next.sourceBranch = normalizeBranch(changes.sourceBranch);
    if (changes.sourceVersion !== undefined) next.sourceVersion = changes.sourceVersion;
    if (changes.retainedByRelease !== undefined) next.retainedByRelease = changes.retainedByRelease;
    if (changes.keepForever !== undefined) next.keepForever = changes.keepForever;
    await this.context.store.builds.update(next);
    await this.context.credentials.changed('builds', organizationId);
    return next;
  }

  /** Updates builds one after another, letting other requests run between them; stops at the first refusal. */
  async updateMany(
    organizationId: string,
    project: Project | undefined,
    editor: User,
    items: readonly { id: number; changes: BuildChanges }[],
  ): Promise<Build[]> {
    if (items.length > maxBuildsPerUpdate) {
      throw new DomainError('invalidInput', `One request may update at most ${maxBuildsPerUpdate} builds, not ${items.length}.`);
    }
    const updated: Build[] = [];
    for (const item of items) {
      updated.push(await this.update(organizationId, project, item.id, editor, item.changes));
      await setImmediate();
    }
    return updated;
  }

  /**
   * Applies a status change with the times it implies. Cancelling a build that has not started ends it at once
   * (nothing runs to acknowledge the cancel); cancelling a running one leaves it `cancelling` until it completes.
   */
  private move(build: Build, requested: BuildStatus, now: string): void {
    if (!canMove(build.status, requested)) {
      throw refused(`Build ${build.id} cannot move from ${build.status} to ${requested}.`);
    }
    if (requested === 'cancelling' && (build.status === 'notStarted' || build.status === 'postponed')) {
      build.status = 'completed';
      build.result = 'canceled';
      build.finishTime = now;
      return;
    }
    if (requested === 'inProgress' && build.startTime === null) build.startTime = now;
    if (requested === 'completed') {
      build.startTime ??= now;
      build.finishTime ??= now;
    }
    build.status = requested;
  }

  /** Soft delete, as Azure DevOps does: the build stays readable with `deleted: true`. Retained builds are refused. */
  async remove(organizationId: string, project: Project | undefined, id: number, remover: User): Promise<void> {
    const build = await this.get(organizationId, project, id);
    if (build.deleted) return;
    const now = this.context.clock.now().toISOString();
    if (
      build.retainedByRelease ||
      build.keepForever ||
      (await this.context.store.retentionLeases.holds(organizationId, id, now))
    ) {
      throw refused(`Build ${id} is retained and cannot be deleted. Remove its retention (keepForever, retention leases) first.`);
    }
    await this.context.store.builds.update({ ...build, deleted: true, deletedDate: now, deletedById: remover.id });
    await this.context.credentials.changed('builds', organizationId);
  }
}
