import type { Timestamp } from './entities.js';
import type { EnumTable } from './enums.js';
import { DomainError } from './errors.js';

export { type EnumTable, parseEnum, parseFlags } from './enums.js';

export const buildStatuses = {
  none: 0,
  inProgress: 1,
  completed: 2,
  cancelling: 4,
  postponed: 8,
  notStarted: 32,
  all: 47,
} as const satisfies EnumTable<string>;
export type BuildStatus = Exclude<keyof typeof buildStatuses, 'all' | 'none'>;

export const buildResults = {
  none: 0,
  succeeded: 2,
  partiallySucceeded: 4,
  failed: 8,
  canceled: 32,
} as const satisfies EnumTable<string>;
export type BuildResult = Exclude<keyof typeof buildResults, 'none'>;

export const buildReasons = {
  none: 0,
  manual: 1,
  individualCI: 2,
  batchedCI: 4,
  schedule: 8,
  scheduleForced: 16,
  userCreated: 32,
  validateShelveset: 64,
  checkInShelveset: 128,
  pullRequest: 256,
  buildCompletion: 512,
  resourceTrigger: 1024,
  triggered: 1967,
  all: 2031,
} as const satisfies EnumTable<string>;
export type BuildReason = Exclude<keyof typeof buildReasons, 'none' | 'triggered' | 'all'>;
/** The reasons a single build can carry (the others are filter masks). */
export const singleBuildReasons = Object.keys(buildReasons).filter(
  (name) => !['none', 'triggered', 'all'].includes(name),
) as BuildReason[];

export const buildPriorities = {
  low: 5,
  belowNormal: 4,
  normal: 3,
  aboveNormal: 2,
  high: 1,
} as const satisfies EnumTable<string>;
export type BuildPriority = keyof typeof buildPriorities;

export const buildQueryOrders = {
  finishTimeAscending: 2,
  finishTimeDescending: 3,
  queueTimeDescending: 4,
  queueTimeAscending: 5,
  startTimeDescending: 6,
  startTimeAscending: 7,
} as const satisfies EnumTable<string>;
export type BuildQueryOrder = keyof typeof buildQueryOrders;

export const definitionQueueStatuses = { enabled: 0, paused: 1, disabled: 2 } as const satisfies EnumTable<string>;
export type DefinitionQueueStatus = keyof typeof definitionQueueStatuses;

export const definitionQueryOrders = {
  none: 0,
  lastModifiedAscending: 1,
  lastModifiedDescending: 2,
  definitionNameAscending: 3,
  definitionNameDescending: 4,
} as const satisfies EnumTable<string>;
export type DefinitionQueryOrder = keyof typeof definitionQueryOrders;

/** DefinitionType: every Lapis pipeline is a `build` (YAML or designer), none is XAML. */
export const definitionTypes = { xaml: 1, build: 2 } as const satisfies EnumTable<string>;

export const definitionQualities = { definition: 1, draft: 2 } as const satisfies EnumTable<string>;

/** BuildAuthorizationScope of a definition's jobs. */
export const jobAuthorizationScopes = { projectCollection: 1, project: 2 } as const satisfies EnumTable<string>;

/** DefinitionTriggerType: the `triggerType` of a definition's triggers (stored as the client sent them). */
export const definitionTriggerTypes = {
  none: 1,
  continuousIntegration: 2,
  batchedContinuousIntegration: 4,
  schedule: 8,
  gatedCheckIn: 16,
  batchedGatedCheckIn: 32,
  pullRequest: 64,
  buildCompletion: 128,
  all: 255,
} as const satisfies EnumTable<string>;

/** AuditAction: the `changeType` of a definition revision. */
export const definitionChangeTypes = { add: 1, update: 2, delete: 3 } as const satisfies EnumTable<string>;

export const deletedFilters = { excludeDeleted: 0, includeDeleted: 1, onlyDeleted: 2 } as const satisfies EnumTable<string>;
export type DeletedFilter = keyof typeof deletedFilters;

export interface Build {
  organizationId: string;
  /** Per organization, increasing. */
  id: number;
  projectId: string;
  definitionId: number;
  definitionRevision: number;
  buildNumber: string;
  /** The `$(Rev)` counter used in the number, when the format has one. */
  buildNumberRevision: number | null;
  status: BuildStatus;
  result: BuildResult | null;
  reason: BuildReason;
  priority: BuildPriority;
  queueTime: Timestamp;
  startTime: Timestamp | null;
  finishTime: Timestamp | null;
  sourceBranch: string;
  sourceVersion: string;
  requestedForId: string;
  requestedById: string;
  lastChangedById: string;
  lastChangedDate: Timestamp;
  tags: readonly string[];
  /** Agent demands in Azure DevOps' JSON form: `name` (exists) or `name -equals value`. */
  demands: readonly string[];
  /** The JSON string of queue-time variables, as Azure DevOps carries it. */
  parameters: string | null;
  templateParameters: Readonly<Record<string, string>>;
  triggerInfo: Readonly<Record<string, string>>;
  retainedByRelease: boolean;
  keepForever: boolean;
  deleted: boolean;
  deletedDate: Timestamp | null;
  deletedById: string | null;
}

/** The free-form parts of a definition: stored and returned as given, never interpreted beyond their shape. */
export interface DefinitionSettings {
  description: string;
  /** The comment of the revision this is (shown in the revision history). */
  comment: string;
  repository: Record<string, unknown>;
  process: Record<string, unknown>;
  queue: Record<string, unknown>;
  variables: Record<string, unknown>;
  variableGroups: unknown[];
  triggers: unknown[];
  options: unknown[];
  demands: unknown[];
  retentionRules: unknown[];
  properties: Record<string, unknown>;
  tags: string[];
  jobTimeoutInMinutes: number;
  jobCancelTimeoutInMinutes: number;
  jobAuthorizationScope: string;
  badgeEnabled: boolean;
}

export interface BuildDefinition {
  organizationId: string;
  /** Per organization, increasing. */
  id: number;
  projectId: string;
  name: string;
  /** Folder, `\`-separated, always starting with `\`. */
  path: string;
  revision: number;
  queueStatus: DefinitionQueueStatus;
  buildNumberFormat: string;
  createdDate: Timestamp;
  modifiedDate: Timestamp;
  authoredById: string;
  deleted: boolean;
  settings: DefinitionSettings;
}

/** Keeps a build from deletion until `validUntil`: Azure DevOps' replacement of `keepForever`. */
export interface RetentionLease {
  organizationId: string;
  /** Per organization, increasing. */
  id: number;
  projectId: string;
  definitionId: number;
  runId: number;
  ownerId: string;
  createdOn: Timestamp;
  validUntil: Timestamp;
  protectPipeline: boolean;
}

/** A folder of pipelines; `path` is `\`-separated and rooted like definition paths. */
export interface BuildFolder {
  organizationId: string;
  projectId: string;
  path: string;
  description: string;
  createdById: string;
  createdOn: Timestamp;
  lastChangedById: string;
  lastChangedDate: Timestamp;
}

export const defaultBuildNumberFormat = '$(Date:yyyyMMdd)$(Rev:.r)';

/** Statuses a build moves through; a finished build does not move again. */
const transitions: Readonly<Record<BuildStatus, readonly BuildStatus[]>> = {
  notStarted: ['inProgress', 'cancelling', 'completed', 'postponed'],
  postponed: ['notStarted', 'inProgress', 'cancelling', 'completed'],
  inProgress: ['cancelling', 'completed'],
  cancelling: ['completed'],
  completed: [],
};

export function canMove(from: BuildStatus, to: BuildStatus): boolean {
  return from === to || transitions[from].includes(to);
}

const demandPattern = /^([^\s]+)(?:\s+-equals\s+(.+))?$/;

/**
 * A demand as clients send it: Azure DevOps' JSON string (`Agent.OS -equals Linux`, or a bare name meaning "exists")
 * or a `{name, value}` object. Returned in the string form, as Azure DevOps writes demands.
 */
export function parseDemand(value: unknown): string {
  if (typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string') {
    const { name, value: wanted } = value as { name: string; value?: unknown };
    if (wanted !== undefined && wanted !== null && typeof wanted !== 'string') throw invalidDemand(value);
    return parseDemand(wanted ? `${name} -equals ${wanted}` : name);
  }
  if (typeof value !== 'string') throw invalidDemand(value);
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > 1000 || /\p{Cc}/u.test(trimmed) || !demandPattern.test(trimmed)) {
    throw invalidDemand(value);
  }
  return trimmed;
}

function invalidDemand(value: unknown): DomainError {
  return new DomainError(
    'invalidInput',
    `${JSON.stringify(value)} is not a valid demand: use "name" or "name -equals value" (or {"name":..., "value":...}).`,
  );
}
