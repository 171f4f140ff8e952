import { parseTagFilters } from './build-tags.js';
import {
  type BuildQueryOrder,
  type BuildReason,
  type BuildResult,
  type BuildStatus,
  buildQueryOrders,
  buildReasons,
  buildResults,
  buildStatuses,
  type DeletedFilter,
  deletedFilters,
  parseEnum,
  parseFlags,
  singleBuildReasons,
} from './builds.js';
import { DomainError } from './errors.js';

/** Builds that have not started or finished order as if that time were in the far future (first when descending). */
export const notYetTime = '9999-12-31T23:59:59.999Z';

export type BuildTimeField = 'queueTime' | 'startTime' | 'finishTime';

/** Where a page starts: the ordering timestamp of its first build, and its id when others share that timestamp. */
export interface BuildCursor {
  time: string;
  id?: number;
}

/** A validated build list request; identity and project filters are resolved by the service. */
export interface BuildQuery {
  definitionIds?: number[];
  buildIds?: number[];
  /** SQL-free pattern: `*` matches any run of characters. */
  buildNumber?: string;
  statuses?: BuildStatus[];
  results?: BuildResult[];
  reasons?: BuildReason[];
  branchName?: string;
  requestedFor?: string;
  minTime?: string;
  maxTime?: string;
  tags?: string[];
  deleted: DeletedFilter;
  order: BuildQueryOrder;
  timeField: BuildTimeField;
  descending: boolean;
  top: number;
  cursor?: BuildCursor;
}

export type RawBuildQuery = Partial<Record<string, string>>;

export const defaultBuildTop = 1000;
export const maxBuildTop = 5000;

function invalid(message: string): DomainError {
  return new DomainError('invalidBuildQuery', message);
}

export function parseIdList(value: string, what: string): number[] {
  const ids = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!/^\d{1,9}$/.test(id))
      throw new DomainError('invalidInput', `${what} must be a comma-separated list of integers, not "${value}".`);
  }
  return [...new Set(ids.map(Number))];
}

/** Accepts ISO-8601 and RFC-1123 (`Tue, 02 Jan 2024 00:00:00 GMT`, what the Node client sends); returns ISO UTC. */
export function parseTime(value: string, what: string): string {
  const trimmed = value.trim();
  const looksLikeDate = /^\d{4}-\d{2}-\d{2}/.test(trimmed) || /^[A-Za-z]{3},? \d{1,2} [A-Za-z]{3} \d{4}/.test(trimmed);
  const time = Date.parse(trimmed);
  if (!looksLikeDate || Number.isNaN(time)) {
    throw new DomainError('invalidInput', `${what} must be an ISO-8601 or RFC-1123 date, not "${value}".`);
  }
  return new Date(time).toISOString();
}

function statusesOf(mask: number): BuildStatus[] {
  return (Object.keys(buildStatuses) as (keyof typeof buildStatuses)[]).filter(
    (name): name is BuildStatus => name !== 'all' && name !== 'none' && (buildStatuses[name] & mask) !== 0,
  );
}

function timeFieldOf(order: BuildQueryOrder): BuildTimeField {
  if (order.startsWith('finish')) return 'finishTime';
  if (order.startsWith('start')) return 'startTime';
  return 'queueTime';
}

/** The round-trip form Azure DevOps writes in tokens (seven fractional digits). */
export function roundTripTime(iso: string): string {
  return iso.replace(/\.(\d{3})Z$/, '.$10000Z');
}

export function encodeBuildCursor(cursor: BuildCursor): string {
  const time = roundTripTime(cursor.time);
  return cursor.id === undefined ? time : `${time},${cursor.id}`;
}

export function decodeBuildCursor(token: string): BuildCursor {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z)(?:,(\d{1,9}))?$/.exec(token.trim());
  const time = match?.[1] ? Date.parse(match[1]) : Number.NaN;
  if (!match || Number.isNaN(time)) throw new DomainError('invalidInput', `The continuation token "${token}" is not valid.`);
  return { time: new Date(time).toISOString(), ...(match[2] && { id: Number(match[2]) }) };
}

/** The filters `buildIds` excludes. */
export const buildFilterParameters = [
  'definitions',
  'queues',
  'buildNumber',
  'minTime',
  'maxTime',
  'requestedFor',
  'reasonFilter',
  'statusFilter',
  'resultFilter',
  'tagFilters',
  'branchName',
  'repositoryId',
  'repositoryType',
];

/** The server's rules for build queries, with its messages. */
export function parseBuildQuery(raw: RawBuildQuery): BuildQuery {
  const present = (name: string) => raw[name] !== undefined && raw[name] !== '';
  const order: BuildQueryOrder = present('queryOrder')
    ? parseEnum(buildQueryOrders, raw.queryOrder, 'queryOrder')
    : 'finishTimeDescending';
  const query: BuildQuery = {
    deleted: present('deletedFilter') ? parseEnum(deletedFilters, raw.deletedFilter, 'deletedFilter') : 'excludeDeleted',
    order,
    timeField: timeFieldOf(order),
    descending: order.endsWith('Descending'),
    top: defaultBuildTop,
  };
  if (present('$top')) {
    const top = raw.$top ?? '';
    if (!/^\d{1,9}$/.test(top)) throw new DomainError('invalidInput', `$top must be a non-negative integer, not "${top}".`);
    query.top = Math.min(Number(top), maxBuildTop);
  }
  if (present('continuationToken')) query.cursor = decodeBuildCursor(raw.continuationToken ?? '');

  if (present('buildIds')) {
    if (buildFilterParameters.some(present)) throw invalid('The buildIds filter may not be used with other filter parameters.');
    query.buildIds = parseIdList(raw.buildIds ?? '', 'buildIds');
    return query;
  }
  if (present('definitions')) query.definitionIds = parseIdList(raw.definitions ?? '', 'definitions');
  if (present('buildNumber')) query.buildNumber = raw.buildNumber;
  if (present('branchName')) query.branchName = raw.branchName;
  if (present('requestedFor')) query.requestedFor = raw.requestedFor;
  if (present('tagFilters')) query.tags = parseTagFilters(raw.tagFilters ?? '');
  if (present('reasonFilter')) {
    const mask = parseFlags(buildReasons, raw.reasonFilter ?? '', 'reasonFilter');
    if (mask !== buildReasons.all) query.reasons = singleBuildReasons.filter((reason) => (buildReasons[reason] & mask) !== 0);
  }

  const statusName = raw.statusFilter;
  let statuses = present('statusFilter') ? statusesOf(parseFlags(buildStatuses, statusName ?? '', 'statusFilter')) : undefined;
  if (statuses?.length === statusesOf(buildStatuses.all).length) statuses = undefined;

  if (present('resultFilter')) {
    const mask = parseFlags(buildResults, raw.resultFilter ?? '', 'resultFilter');
    if (mask !== buildResults.none) {
      if (statuses && !(statuses.length === 1 && statuses[0] === 'completed')) {
        throw invalid(`The status filter ${statusName} is not valid when combined with the result filter ${raw.resultFilter}.`);
      }
      statuses = ['completed'];
      query.results = (Object.keys(buildResults) as (keyof typeof buildResults)[]).filter(
        (name): name is BuildResult => name !== 'none' && (buildResults[name] & mask) !== 0,
      );
    }
  }

  if (present('minTime') || present('maxTime')) {
    if (present('minTime')) query.minTime = parseTime(raw.minTime ?? '', 'minTime');
    if (present('maxTime')) query.maxTime = parseTime(raw.maxTime ?? '', 'maxTime');
    // A time range is read on the ordering field, which only builds in a matching state have.
    const forced: BuildStatus | undefined =
      query.timeField === 'finishTime' ? 'completed' : query.timeField === 'startTime' ? 'inProgress' : undefined;
    if (forced) {
      if (statuses && !(statuses.length === 1 && statuses[0] === forced)) {
        throw invalid(`The status filter ${statusName} is not valid when combined with the query order filter ${order}.`);
      }
      statuses = [forced];
    }
  }
  if (statuses) query.statuses = statuses;
  return query;
}
