import { DomainError } from './errors.js';

/** How the token admin API pages a user's tokens: `pageSize`, and continuation tokens labelled `tokenadmin`. */

export const tokenAdminContinuationLabel = 'tokenadmin';
export const defaultTokenAdminPageSize = 20;
export const maxTokenAdminPageSize = 100;

export function tokenAdminPageSize(value: number | undefined): number {
  const size = value ?? defaultTokenAdminPageSize;
  if (!Number.isInteger(size) || size < 1 || size > maxTokenAdminPageSize) {
    throw new DomainError('invalidInput', `pageSize must be between 1 and ${maxTokenAdminPageSize}, not ${size}.`);
  }
  return size;
}
