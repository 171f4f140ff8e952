import { DomainError } from '../../domain/errors.js';
import { dayMs, latestValidTo, type TokenPolicy } from '../../domain/pat-rules.js';

const presetDays = [30, 60, 90];

/** What the Expiration field offers at a given moment under the configured policy. */
export interface ExpiryOptions {
  /** Lifetimes in days, each within the policy. */
  presets: number[];
  defaultDays: number;
  maxDays: number;
  /** Bounds of the custom date (YYYY-MM-DD): tomorrow, and the last day that keeps the token within the policy. */
  earliest: string;
  latest: string;
  now: Date;
}

export type ExpiryChoice = { days: number } | { validTo: Date } | 'keep';

/** The value of the Expiration radio that keeps a token's current expiry (edit page only). */
export const keepExpiry = 'keep';
export const customExpiry = 'custom';

function isoDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

export function expiryOptions(now: Date, policy: TokenPolicy): ExpiryOptions {
  const max = policy.maxLifetimeDays;
  const fitting = [...new Set([...presetDays, policy.defaultLifetimeDays])].filter((days) => days <= max).sort((a, b) => a - b);
  const presets = fitting.length > 0 ? fitting : [max];
  return {
    presets,
    defaultDays: presets.includes(policy.defaultLifetimeDays) ? policy.defaultLifetimeDays : presets[presets.length - 1]!,
    maxDays: max,
    earliest: isoDate(now.getTime() + dayMs),
    // A custom date means "valid until the start of that day (UTC)", so this day is never beyond the limit.
    latest: isoDate(latestValidTo(now, policy).getTime()),
    now,
  };
}

export function presetEnd(options: ExpiryOptions, days: number): string {
  return isoDate(options.now.getTime() + days * dayMs);
}

/** Reads the Expiration field. Out-of-policy custom dates are refused here with the latest allowed date in the message. */
export function parseExpiry(options: ExpiryOptions, choice: string, customDate: string, allowKeep: boolean): ExpiryChoice {
  if (allowKeep && choice === keepExpiry) return 'keep';
  if (choice === customExpiry) {
    const date = customDate.trim();
    const validTo = new Date(`${date}T00:00:00.000Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(validTo.getTime()) || isoDate(validTo.getTime()) !== date) {
      throw new DomainError('invalidInput', 'Enter the custom expiry date as a date, for example 2026-12-31.');
    }
    if (date > options.latest) {
      throw new DomainError(
        'invalidInput',
        `The custom expiry date must be ${options.latest} or earlier: a token may be valid for at most ${options.maxDays} days.`,
      );
    }
    if (date < options.earliest)
      throw new DomainError('invalidInput', `The custom expiry date must be ${options.earliest} or later.`);
    return { validTo };
  }
  const days = Number(choice);
  if (!options.presets.includes(days)) throw new DomainError('invalidInput', 'Choose an expiration.');
  return { days };
}

/** The end of validity a choice stands for, from now (the service checks it against the policy again). */
export function expiryDate(options: ExpiryOptions, choice: { days: number } | { validTo: Date }): Date {
  return 'validTo' in choice ? choice.validTo : new Date(options.now.getTime() + choice.days * dayMs);
}
