/**
 * Whether this run is CI's: any non-empty `CI` other than `false` or `0`, as CI services set it. Under CI the
 * services the suite needs (PostgreSQL, Chromium) are mandatory instead of skipped with a notice.
 */
export const underCi: boolean = (() => {
  const value = (process.env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== 'false' && value !== '0';
})();
