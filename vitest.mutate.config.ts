import { defineConfig } from 'vitest/config';

/**
 * The fast tests that guard the security core, for StrykerJS (`npm run mutate`): pure domain and service
 * tests, and the in-process HTTP tests of authentication, OAuth tokens and web sessions. Browser, CLI,
 * compatibility and PostgreSQL tests stay out: each mutant reruns the tests covering it, and those cost seconds each.
 */
export default defineConfig({
  test: {
    include: [
      'test/domain/**/*.test.ts',
      'test/services/**/*.test.ts',
      'test/http/auth.test.ts',
      'test/http/oauth-token.test.ts',
      'test/ui/sessions.test.ts',
    ],
    exclude: ['test/services/oauth-refresh-kill.test.ts'],
    // SQLite only: the store contract tests already prove both stores answer alike, and a mutant of the
    // security core behaves the same on either; CI=false keeps the unreachable PostgreSQL a skip, not a failure.
    env: { CI: 'false', LAPIS_TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' },
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
