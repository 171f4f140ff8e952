import { DomainError } from './errors.js';

/**
 * Opaque continuation tokens for lists paged by row: `base64("{nextRow}-{label}")`, the form Azure DevOps uses for
 * PATs. Each list has its own label, so a token from one list is refused by another.
 */
export function encodeRowContinuation(nextRow: number, label: string): string {
  return btoa(`${nextRow}-${label}`);
}

/** The row a continuation token points at (0 when absent); a token this server did not write is refused. */
export function decodeRowContinuation(token: string | undefined, label: string): number {
  if (token === undefined || token === '') return 0;
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(token) && token.length % 4 === 0 ? atob(token) : '';
  const match = /^(\d{1,9})-(.+)$/.exec(text);
  if (!match || match[2] !== label) {
    throw new DomainError('invalidInput', 'The continuationToken is not one this server returned.');
  }
  return Number(match[1]);
}
