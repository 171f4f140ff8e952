import { DomainError } from './errors.js';

/**
 * Lapis's bounds on build and definition tags. Azure DevOps documents none; these keep one request's work small
 * (a tag filter is one index probe per tag) while leaving room for any tagging scheme seen in practice.
 */
export const maxTagLength = 256;
export const maxTagsPerBuild = 100;
export const maxTagFilters = 100;

/** Tags compare case-insensitively, as on Azure DevOps; this is the key they are stored and matched under. */
export function tagKey(tag: string): string {
  return tag.toLowerCase();
}

/** Trimmed and checked; the first spelling of tags equal but for case wins. */
export function validTags(tags: readonly string[]): string[] {
  const unique = new Map<string, string>();
  for (const tag of tags) {
    const trimmed = tag.trim();
    if (trimmed === '' || /[,;\p{Cc}]/u.test(trimmed)) {
      throw new DomainError(
        'invalidInput',
        `"${tag.slice(0, 100)}" is not a valid tag: it is empty or holds a comma, semicolon or control character.`,
      );
    }
    if (trimmed.length > maxTagLength) {
      throw new DomainError(
        'invalidInput',
        `A tag may be at most ${maxTagLength} characters long; "${trimmed.slice(0, 40)}…" has ${trimmed.length}.`,
      );
    }
    if (!unique.has(tagKey(trimmed))) unique.set(tagKey(trimmed), trimmed);
  }
  return [...unique.values()];
}

/** Refuses a tag set that would leave a build or definition with more than `maxTagsPerBuild` tags. */
export function checkTagCount(count: number): void {
  if (count > maxTagsPerBuild) {
    throw new DomainError(
      'invalidInput',
      `A build or definition may carry at most ${maxTagsPerBuild} tags; this change leaves ${count}.`,
    );
  }
}

/** `tagFilters`: comma-separated, at most `maxTagFilters`. */
export function parseTagFilters(value: string): string[] {
  const tags = value
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  if (tags.length > maxTagFilters) {
    throw new DomainError('invalidBuildQuery', `tagFilters may name at most ${maxTagFilters} tags, not ${tags.length}.`);
  }
  for (const tag of tags) {
    if (tag.length > maxTagLength)
      throw new DomainError('invalidBuildQuery', `A tag filter may be at most ${maxTagLength} characters long.`);
  }
  return tags;
}
