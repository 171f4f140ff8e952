import { DomainError } from './errors.js';

export interface BuildNumberValues {
  queueTime: Date;
  buildId: number;
  definitionName: string;
  projectName: string;
  sourceBranch: string;
}

export interface ExpandedBuildNumber {
  /** The number with everything but the revision filled in; builds sharing it share one `$(Rev)` counter. Null without `$(Rev)`. */
  revisionKey: string | null;
  render(revision: number | null): string;
}

const maxLength = 255;
const revMarker = '\u0000';

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** .NET-style date patterns as build number formats use them (`yyyyMMdd`, `HHmm`...), in UTC. */
function formatDate(date: Date, pattern: string): string {
  return pattern.replace(/yyyy|yy|MM|M|dd|d|HH|H|mm|m|ss|s/g, (token) => {
    switch (token) {
      case 'yyyy':
        return pad(date.getUTCFullYear(), 4);
      case 'yy':
        return pad(date.getUTCFullYear() % 100, 2);
      case 'MM':
        return pad(date.getUTCMonth() + 1, 2);
      case 'M':
        return String(date.getUTCMonth() + 1);
      case 'dd':
        return pad(date.getUTCDate(), 2);
      case 'd':
        return String(date.getUTCDate());
      case 'HH':
        return pad(date.getUTCHours(), 2);
      case 'H':
        return String(date.getUTCHours());
      case 'mm':
        return pad(date.getUTCMinutes(), 2);
      case 'm':
        return String(date.getUTCMinutes());
      case 'ss':
        return pad(date.getUTCSeconds(), 2);
      default:
        return String(date.getUTCSeconds());
    }
  });
}

function dayOfYear(date: Date): number {
  return Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

/**
 * Expands a definition's `buildNumberFormat` (`$(Date:yyyyMMdd)$(Rev:.r)` → `20261127.3`). `$(Rev:…)` keeps its
 * literal characters and pads the counter to the number of `r`s; the counter itself is kept by the caller per revision key.
 */
export function expandBuildNumber(format: string, values: BuildNumberValues): ExpandedBuildNumber {
  let revPattern: string | null = null;
  const date = values.queueTime;
  const branchName = values.sourceBranch.split('/').pop() ?? values.sourceBranch;
  const expanded = format.replace(/\$\(([A-Za-z.]+)(?::([^)]*))?\)/g, (whole, name: string, argument: string | undefined) => {
    switch (name.toLowerCase()) {
      case 'rev':
        if (revPattern !== null) throw new DomainError('invalidInput', 'A build number format may contain $(Rev) only once.');
        revPattern = argument && /r/.test(argument) ? argument : 'r';
        return revMarker;
      case 'date':
        return formatDate(date, argument || 'yyyyMMdd');
      case 'year':
        return argument === 'yy' ? pad(date.getUTCFullYear() % 100, 2) : pad(date.getUTCFullYear(), 4);
      case 'month':
        return pad(date.getUTCMonth() + 1, 2);
      case 'dayofmonth':
        return pad(date.getUTCDate(), 2);
      case 'dayofyear':
        return pad(dayOfYear(date), 3);
      case 'hours':
        return pad(date.getUTCHours(), 2);
      case 'minutes':
        return pad(date.getUTCMinutes(), 2);
      case 'seconds':
        return pad(date.getUTCSeconds(), 2);
      case 'builddefinitionname':
      case 'build.definitionname':
        return values.definitionName;
      case 'teamproject':
      case 'system.teamproject':
        return values.projectName;
      case 'sourcebranchname':
      case 'build.sourcebranchname':
        return branchName;
      case 'buildid':
      case 'build.buildid':
        return String(values.buildId);
      default:
        return whole;
    }
  });
  const render = (revision: number | null): string => {
    const pattern: string | null = revPattern;
    if (pattern === null || revision === null) return expanded;
    const width = (pattern.match(/r+/)?.[0] ?? 'r').length;
    const filled = pattern.replace(/r+/, pad(revision, width));
    return expanded.replace(revMarker, filled).slice(0, maxLength);
  };
  return { revisionKey: revPattern === null ? null : expanded.replace(revMarker, '$(Rev)'), render };
}
