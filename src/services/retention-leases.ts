import type { RetentionLease } from '../domain/builds.js';
import type { Project } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import type { RetentionLeaseFilter } from '../storage/ports.js';
import type { ServiceContext } from './context.js';

export interface NewRetentionLease {
  definitionId?: number | undefined;
  runId?: number | undefined;
  ownerId?: string | undefined;
  daysValid?: number | undefined;
  protectPipeline?: boolean | undefined;
}

export interface RetentionLeaseUpdate {
  daysValid?: number | undefined;
  protectPipeline?: boolean | undefined;
}

export interface MinimalRetentionLease {
  definitionId?: number;
  runId?: number;
  ownerId?: string;
}

/** Beyond it a request is refused: leases are few per build, and one request should not hold the database long. */
export const maxLeasesPerRequest = 100;
const maxDaysValid = 36_500;
const dayMs = 86_400_000;

function notFound(id: number): DomainError {
  return new DomainError('retentionLeaseNotFound', `Retention lease ${id} was not found.`);
}

function daysValid(value: number | undefined): number {
  if (value === undefined || !Number.isInteger(value) || value < 1 || value > maxDaysValid) {
    throw new DomainError('invalidInput', `daysValid must be a whole number of days from 1 to ${maxDaysValid}.`);
  }
  return value;
}

function ownerId(value: string | undefined): string {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '' || trimmed.length > 400 || /\p{Cc}/u.test(trimmed)) {
    throw new DomainError(
      'invalidInput',
      'ownerId must name who holds the lease (for example "User:{id}"), at most 400 characters.',
    );
  }
  return trimmed;
}

/** Retention leases: Azure DevOps' replacement of `keepForever`; a build with a valid lease cannot be deleted. */
export class RetentionLeaseService {
  constructor(private readonly context: ServiceContext) {}

  async add(project: Project, leases: readonly NewRetentionLease[]): Promise<RetentionLease[]> {
    if (leases.length === 0) throw new DomainError('invalidInput', 'Send at least one retention lease.');
    if (leases.length > maxLeasesPerRequest) {
      throw new DomainError('invalidInput', `At most ${maxLeasesPerRequest} retention leases can be added in one request.`);
    }
    const now = this.context.clock.now();
    return this.context.store.transaction(async (repositories) => {
      const added: RetentionLease[] = [];
      for (const request of leases) {
        const runId = request.runId;
        if (runId === undefined)
          throw new DomainError('invalidInput', 'Each retention lease needs the runId (build id) it retains.');
        const build = await repositories.builds.find(project.organizationId, runId);
        if (!build || build.projectId !== project.id) {
          throw new DomainError('buildNotFound', `The requested build ${runId} could not be found.`);
        }
        if (request.definitionId !== undefined && request.definitionId !== build.definitionId) {
          throw new DomainError(
            'invalidInput',
            `Build ${runId} belongs to pipeline ${build.definitionId}, not ${request.definitionId}.`,
          );
        }
        const lease: RetentionLease = {
          organizationId: project.organizationId,
          id: await repositories.counters.next(project.organizationId, 'retentionLease'),
          projectId: project.id,
          definitionId: build.definitionId,
          runId,
          ownerId: ownerId(request.ownerId),
          createdOn: now.toISOString(),
          validUntil: new Date(now.getTime() + daysValid(request.daysValid) * dayMs).toISOString(),
          protectPipeline: request.protectPipeline ?? false,
        };
        await repositories.retentionLeases.insert(lease);
        added.push(lease);
      }
      return added;
    });
  }

  async get(project: Project, id: number): Promise<RetentionLease> {
    const [lease] = await this.context.store.retentionLeases.list(this.scope(project, { ids: [id] }));
    if (!lease) throw notFound(id);
    return lease;
  }

  /** Leases of the project matching every given field. */
  async find(project: Project, match: MinimalRetentionLease): Promise<RetentionLease[]> {
    return this.context.store.retentionLeases.list(
      this.scope(project, {
        ...(match.definitionId !== undefined && { definitionId: match.definitionId }),
        ...(match.runId !== undefined && { runId: match.runId }),
        ...(match.ownerId !== undefined && { ownerId: match.ownerId }),
      }),
    );
  }

  /** `leasesToFetch`: any of several minimal leases, each matched on its given fields. */
  async findAny(project: Project, matches: readonly MinimalRetentionLease[]): Promise<RetentionLease[]> {
    if (matches.length > maxLeasesPerRequest) {
      throw new DomainError('invalidInput', `At most ${maxLeasesPerRequest} leases can be fetched in one request.`);
    }
    const found = new Map<number, RetentionLease>();
    for (const match of matches) for (const lease of await this.find(project, match)) found.set(lease.id, lease);
    return [...found.values()].sort((a, b) => a.id - b.id);
  }

  async forBuild(project: Project, buildId: number): Promise<RetentionLease[]> {
    const build = await this.context.store.builds.find(project.organizationId, buildId);
    if (!build || build.projectId !== project.id) {
      throw new DomainError('buildNotFound', `The requested build ${buildId} could not be found.`);
    }
    return this.context.store.retentionLeases.list(this.scope(project, { runId: buildId }));
  }

  async update(project: Project, id: number, update: RetentionLeaseUpdate): Promise<RetentionLease> {
    const lease = await this.get(project, id);
    const now = this.context.clock.now();
    const updated: RetentionLease = {
      ...lease,
      ...(update.daysValid !== undefined && {
        validUntil: new Date(now.getTime() + daysValid(update.daysValid) * dayMs).toISOString(),
      }),
      ...(update.protectPipeline !== undefined && { protectPipeline: update.protectPipeline }),
    };
    await this.context.store.retentionLeases.update(updated);
    return updated;
  }

  async remove(project: Project, ids: readonly number[]): Promise<void> {
    if (ids.length > maxLeasesPerRequest) {
      throw new DomainError('invalidInput', `At most ${maxLeasesPerRequest} retention leases can be deleted in one request.`);
    }
    await this.context.store.retentionLeases.delete(project.organizationId, project.id, ids);
  }

  private scope(project: Project, filter: Omit<RetentionLeaseFilter, 'organizationId' | 'projectId'>): RetentionLeaseFilter {
    return { organizationId: project.organizationId, projectId: project.id, ...filter };
  }
}
