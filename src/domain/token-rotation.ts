import { DomainError } from './errors.js';

/**
 * Rotation: a token is replaced by a successor with the same settings, and keeps working for a grace window so
 * that callers can switch without downtime. One rotation per token; a retried request with the same
 * Idempotency-Key gets the same successor back.
 */
export interface TokenRotation {
  /** The token that was rotated (one rotation each). */
  tokenId: string;
  successorId: string;
  userId: string;
  /** SHA-256 of the caller's Idempotency-Key; null without one, and once the replay window has passed. */
  idempotencyKeyHash: string | null;
  /** SHA-256 of what was asked (token id and grace), so a reused key with another request is recognised. */
  requestHash: string;
  graceSeconds: number;
  /** When the old token stops working. */
  graceEndsAt: string;
  /** The successor's text sealed with the server key, for replays only; null once the replay window has passed. */
  successorSealed: string | null;
  /** End of the replay window. */
  replayUntil: string;
  createdAt: string;
  /** When the old token's end was recorded (audit); null while it is in grace. */
  endedAt: string | null;
}

export const maxGraceSeconds = 7 * 86_400;

/** How long a retried rotate may get the successor's text again: long enough for retries, short for a sealed secret. */
export const replayWindowMs = 86_400_000;

export const maxIdempotencyKeyLength = 255;

const units: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

function outOfRange(what: string): DomainError {
  return new DomainError('invalidInput', `The grace window ${what} must be between 0 and 7 days (${maxGraceSeconds} seconds).`, {
    field: 'graceSeconds',
  });
}

/** A grace window in whole seconds, 0 (the old token stops at once) to 7 days. */
export function graceSeconds(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > maxGraceSeconds) {
    throw outOfRange(`${JSON.stringify(value)?.slice(0, 40) ?? 'given'}`);
  }
  return value;
}

/** `0`, `90s`, `30m`, `1h`, `2d` (one number and one unit) as seconds, at most 7 days. */
export function parseGraceDuration(text: string): number {
  const match = /^\s*(\d{1,7})\s*([smhd]?)\s*$/i.exec(text);
  const count = match ? Number(match[1]) : Number.NaN;
  const unit = match?.[2] ? units[match[2].toLowerCase()] : count === 0 ? 1 : undefined;
  if (!match || unit === undefined) {
    throw new DomainError(
      'invalidInput',
      `"${text.slice(0, 40)}" is not a grace window: write a number and a unit, such as 30m, 1h or 2d (0 for none).`,
      { field: 'graceSeconds' },
    );
  }
  const seconds = count * unit;
  if (seconds > maxGraceSeconds) throw outOfRange(`"${text.slice(0, 40)}"`);
  return seconds;
}

/** The largest whole unit that fits: `0s`, `90s`, `30m`, `1h`, `7d`. */
export function formatGrace(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (seconds > 0 && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** A client's Idempotency-Key: 1 to 255 visible ASCII characters. */
export function idempotencyKey(value: string): string {
  if (value.length < 1 || value.length > maxIdempotencyKeyLength || !/^[\x21-\x7e]+$/.test(value)) {
    throw new DomainError(
      'invalidInput',
      `The Idempotency-Key header must be 1 to ${maxIdempotencyKeyLength} visible ASCII characters (a UUID is a good choice).`,
    );
  }
  return value;
}

/** When the old token stops: the end of the grace window, never later than it would have expired anyway. */
export function graceEnd(now: Date, grace: number, validTo: string): string {
  return new Date(Math.min(now.getTime() + grace * 1000, Date.parse(validTo))).toISOString();
}

/** A second rotation (or a change) of a token that was rotated: the successor is the token to manage now. */
export function tokenAlreadyRotated(rotation: Pick<TokenRotation, 'successorId' | 'graceEndsAt'>): DomainError {
  return new DomainError(
    'tokenAlreadyRotated',
    `This token was rotated: its successor is ${rotation.successorId}, and it stops working at ${rotation.graceEndsAt}. Rotate, change or revoke the successor instead.`,
    { successorId: rotation.successorId, graceEndsAt: rotation.graceEndsAt },
  );
}

/** The same Idempotency-Key sent again with another token or another grace window. */
export function idempotencyKeyReused(): DomainError {
  return new DomainError(
    'idempotencyKeyReused',
    'This Idempotency-Key was used for a different rotation (another token or grace window) within the last 24 hours: send a new key for a new request.',
  );
}
