/**
 * Turns a user pattern where `*` is the only wildcard into a LIKE pattern for `escape '!'`, so `%`, `_` and `!`
 * in names match themselves on both backends.
 */
export function likePattern(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`).replaceAll('*', '%');
}
