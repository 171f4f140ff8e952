import { setImmediate } from 'node:timers/promises';
import { expandBuildNumber } from '../domain/build-number.js';
import {
  type BuildCursor,
  type BuildQuery,
  encodeBuildCursor,
  notYetTime,
  parseBuildQuery,
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
    const sourceVersion = request.sourceVersion ?? '';
    if (sourceVersion.length > 400) throw new DomainError('invalidInput', 'sourceVersion must be at most 400 characters.');
    const queueTime = this.context.clock.now();
    return this.context.store.transaction(async (repositories) => {
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
      return build;
    });
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

  async list(organizationId: string, project: Project | undefined, raw: RawBuildQuery): Promise<BuildPage> {
    const query = parseBuildQuery(raw);
    if (query.top === 0) return { builds: [] };
    let requestedForId: string | undefined;
    if (query.requestedFor !== undefined) {
      const user =
        (await this.context.store.users.findByUsername(query.requestedFor)) ??
        (/^[0-9a-f-]{36}$/i.test(query.requestedFor)
          ? await this.context.store.users.findById(query.requestedFor.toLowerCase())
          : undefined);
      if (!user) return { builds: [] };
      requestedForId = user.id;
    }
    const rows = await this.context.store.builds.list({
      organizationId,
      ...(project && { projectId: project.id }),
      ...(requestedForId && { requestedForId }),
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

  async update(
    organizationId: string,
    project: Project | undefined,
    id: number,
    editor: User,
    changes: BuildChanges,
  ): Promise<Build> {
    if (changes.keepForever !== undefined) {
      throw refused('keepForever cannot be changed by updating a build; retention leases replace it in this API version.');
    }
    const build = await this.get(organizationId, project, id);
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
    if (next.startTime && next.startTime < next.queueTime) throw refused('startTime cannot be before the queue time.');
    if (next.finishTime && next.startTime && next.finishTime < next.startTime) {
      throw refused('finishTime cannot be before startTime.');
    }
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
    await this.context.store.builds.update(next);
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
    if (build.retainedByRelease || build.keepForever) {
      throw refused(`Build ${id} is retained and cannot be deleted. Remove its retention first.`);
    }
    const now = this.context.clock.now().toISOString();
    await this.context.store.builds.update({ ...build, deleted: true, deletedDate: now, deletedById: remover.id });
  }
}
