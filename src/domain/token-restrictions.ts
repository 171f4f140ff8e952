import { DomainError } from './errors.js';

/** At most this many requests per window, counted across every instance. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/**
 * What a personal access token is limited to beyond its scopes and organization. Empty lists and null mean
 * "no restriction of that kind"; a token with none of them set behaves exactly as before restrictions existed.
 */
export interface TokenRestrictions {
  /** Ids of the projects the token may act in. */
  projectIds: readonly string[];
  /** Only GET, HEAD and OPTIONS. */
  readOnly: boolean;
  /** CIDR ranges (IPv4 or IPv6) the client address must fall in, in canonical form. */
  allowedAddresses: readonly string[];
  rateLimit: RateLimit | null;
}

export const noRestrictions: TokenRestrictions = Object.freeze({
  projectIds: [],
  readOnly: false,
  allowedAddresses: [],
  rateLimit: null,
});

export function hasRestrictions(restrictions: TokenRestrictions): boolean {
  return (
    restrictions.projectIds.length > 0 ||
    restrictions.readOnly ||
    restrictions.allowedAddresses.length > 0 ||
    restrictions.rateLimit !== null
  );
}

/** Bounds that keep a token row and its checks small. */
export const restrictionLimits = { projects: 100, addressRanges: 50, maxRate: 1_000_000, maxWindowSeconds: 86_400 };

const windowUnits: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  min: 60,
  minute: 60,
  h: 3_600,
  hour: 3_600,
  d: 86_400,
  day: 86_400,
};
const unitNames: [number, string][] = [
  [86_400, 'day'],
  [3_600, 'h'],
  [60, 'min'],
  [1, 's'],
];

/** `60/min`, `10/s`, `1000/h`, `5000/day` (or `100/30s`, `20/5min`): a count over a window. */
export function parseRateLimit(text: string): RateLimit {
  const match = /^\s*(\d{1,7})\s*\/\s*(\d{0,5})\s*([a-z]+)\s*$/i.exec(text);
  const unit = match && windowUnits[match[3]?.toLowerCase() ?? ''];
  const count = match ? Number(match[1]) : Number.NaN;
  const multiple = match?.[2] ? Number(match[2]) : 1;
  const windowSeconds = unit ? unit * multiple : Number.NaN;
  if (
    !Number.isInteger(count) ||
    count < 1 ||
    count > restrictionLimits.maxRate ||
    !Number.isInteger(windowSeconds) ||
    windowSeconds < 1 ||
    windowSeconds > restrictionLimits.maxWindowSeconds
  ) {
    throw new DomainError(
      'invalidInput',
      `The rate limit "${text.slice(0, 40)}" is not a count per window such as 60/min, 10/s, 1000/h or 5000/day (at most ${restrictionLimits.maxRate} per window, windows up to a day).`,
    );
  }
  return { limit: count, windowSeconds };
}

/** The short form `parseRateLimit` reads back: `60/min`, `100/30s`. */
export function formatRateLimit(rate: RateLimit): string {
  for (const [seconds, name] of unitNames) {
    if (rate.windowSeconds % seconds === 0) {
      const multiple = rate.windowSeconds / seconds;
      return `${rate.limit}/${multiple === 1 ? '' : multiple}${name}`;
    }
  }
  return `${rate.limit}/${rate.windowSeconds}s`;
}

/** Answers whether a client address falls in a token's ranges; built once per token by services. */
export interface AddressAllowList {
  allows(address: string): boolean;
  /** The ranges, for messages. */
  readonly ranges: readonly string[];
}

/** The restrictions as the authorization steps read them: sets and matchers built once, when the token is loaded. */
export interface PrincipalRestrictions {
  projectIds: ReadonlySet<string> | null;
  readOnly: boolean;
  addresses: AddressAllowList | null;
  rateLimit: RateLimit | null;
}

/** The rate counter's answer for one request, as the rate step and the RateLimit-* headers read it. */
export interface RateWindow {
  limit: number;
  remaining: number;
  /** Seconds until the window starts afresh (at least 1). */
  resetSeconds: number;
  exceeded: boolean;
}

export const readOnlyMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** One phrase per restriction, for lists and pages: `projects web, api`, `read-only`, `from 10.0.0.0/8`, `60/min`. */
export function describeRestrictions(
  restrictions: TokenRestrictions | undefined,
  projectName: (id: string) => string = (id) => id,
): string[] {
  if (!restrictions) return [];
  const phrases: string[] = [];
  if (restrictions.projectIds.length > 0) phrases.push(`projects ${restrictions.projectIds.map(projectName).join(', ')}`);
  if (restrictions.readOnly) phrases.push('read-only');
  if (restrictions.allowedAddresses.length > 0) phrases.push(`from ${restrictions.allowedAddresses.join(', ')}`);
  if (restrictions.rateLimit) phrases.push(formatRateLimit(restrictions.rateLimit));
  return phrases;
}
