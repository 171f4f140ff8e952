import type { Timestamp } from './entities.js';

/** One client a token was used from: the address, the user agent it sent last, when it was first and last seen. */
export interface TokenUse {
  tokenId: string;
  clientAddress: string;
  userAgent: string;
  firstUsedAt: Timestamp;
  lastUsedAt: Timestamp;
}

/** How many distinct client addresses a token's trail keeps; older ones drop out. */
export const defaultUsageTrailSize = 5;

/** User agents are echoed on pages and in the API: long ones are cut, so a client cannot fill the trail with megabytes. */
export const maxUserAgentLength = 256;

export function boundedUserAgent(value: string | undefined): string {
  return (value ?? '').slice(0, maxUserAgentLength);
}

/** Two sightings of one address merged: the earliest first use, the latest last use and its user agent. */
export function mergeUse(older: TokenUse, newer: TokenUse): TokenUse {
  const latest = newer.lastUsedAt >= older.lastUsedAt ? newer : older;
  const earliest = newer.firstUsedAt < older.firstUsedAt ? newer : older;
  return {
    tokenId: older.tokenId,
    clientAddress: older.clientAddress,
    userAgent: latest.userAgent,
    firstUsedAt: earliest.firstUsedAt,
    lastUsedAt: latest.lastUsedAt,
  };
}

/** A token's trail: one entry per address, most recent first, at most `size` of them. */
export function usageTrail(uses: readonly TokenUse[], size: number): TokenUse[] {
  const byAddress = new Map<string, TokenUse>();
  for (const use of uses) {
    const known = byAddress.get(use.clientAddress);
    byAddress.set(use.clientAddress, known ? mergeUse(known, use) : use);
  }
  return [...byAddress.values()]
    .sort((a, b) => (a.lastUsedAt === b.lastUsedAt ? 0 : a.lastUsedAt > b.lastUsedAt ? -1 : 1))
    .slice(0, size);
}

const dayMs = 86_400_000;

/**
 * Whole days left before `expiresAt` (a timestamp or epoch milliseconds; 0: less than a day) when that moment falls within `windowDays` of `now`;
 * undefined outside the window, once expired, or with the warning turned off (`windowDays` 0).
 */
export function expiryWarningDays(expiresAt: Timestamp | number, now: Date, windowDays: number): number | undefined {
  const left = (typeof expiresAt === 'number' ? expiresAt : Date.parse(expiresAt)) - now.getTime();
  if (windowDays <= 0 || Number.isNaN(left) || left <= 0 || left > windowDays * dayMs) return undefined;
  return Math.floor(left / dayMs);
}
