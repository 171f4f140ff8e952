import type { Timestamp } from './entities.js';

/** A JSON Web Key as stored (EC P-256: every member is a string). */
export type Jwk = Readonly<Record<string, string>>;

/** A key that signs access tokens (while active) and verifies them (while active or retired). */
export interface SigningKey {
  kid: string;
  algorithm: 'ES256';
  privateJwk: Jwk;
  publicJwk: Jwk;
  createdAt: Timestamp;
  /** When a newer key took over; null for the active key. */
  retiredAt: Timestamp | null;
}

export interface SigningKeySet {
  keys: readonly SigningKey[];
}

/** The key that signs: the one not retired. */
export function activeKey(set: SigningKeySet): SigningKey | undefined {
  return set.keys.find((key) => key.retiredAt === null);
}

export interface Rotation {
  set: SigningKeySet;
  retired: string[];
  dropped: string[];
}

/**
 * Makes `fresh` the active key. The previous keys stay for verification until every token they signed
 * has expired (`retainMs` after retirement), unless `dropRetired`, which ends those tokens at once.
 */
export function rotateKeySet(
  set: SigningKeySet,
  fresh: SigningKey,
  now: Date,
  options: { retainMs: number; dropRetired: boolean },
): Rotation {
  const retiredAt = now.toISOString();
  const retired: string[] = [];
  const dropped: string[] = [];
  const kept: SigningKey[] = [];
  for (const key of set.keys) {
    const retiring = key.retiredAt === null ? { ...key, retiredAt } : key;
    if (key.retiredAt === null) retired.push(key.kid);
    const stillNeeded = Date.parse(retiring.retiredAt ?? retiredAt) + options.retainMs > now.getTime();
    if (options.dropRetired || !stillNeeded) dropped.push(key.kid);
    else kept.push(retiring);
  }
  return { set: { keys: [fresh, ...kept] }, retired, dropped };
}
