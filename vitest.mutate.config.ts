import { defineConfig } from 'vitest/config';

/**
 * The fast tests that guard the security core, for StrykerJS (`npm run mutate`): pure domain and service
 * tests, and the in-process HTTP tests of authentication, OAuth tokens and web sessions. Browser, CLI,
 * compatibility and PostgreSQL tests stay out: each mutant reruns the tests covering it, and those cost seconds each.
 */
const securityCoreTests = [
  'test/domain/**/*.test.ts',
  'test/services/**/*.test.ts',
  'test/http/authorization-header.test.ts',
  'test/http/auth.test.ts',
  'test/http/auth-answers.test.ts',
  'test/http/oauth-token.test.ts',
  'test/ui/sessions.test.ts',
];

/**
 * LAPIS_MUTATE_TESTS (comma-separated) narrows the run to the tests that guard one file, for a file-by-file run on a
 * busy machine: every test that makes a token covers pat-format.ts, and rerunning them all per mutant takes hours.
 */
const narrowed = process.env.LAPIS_MUTATE_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  test: {
    include: narrowed && narrowed.length > 0 ? narrowed : securityCoreTests,
    exclude: ['test/services/oauth-refresh-kill.test.ts'],
    // SQLite only: the store contract tests already prove both stores answer alike, and a mutant of the
    // security core behaves the same on either; CI=false keeps the unreachable PostgreSQL a skip, not a failure.
    env: { CI: 'false', LAPIS_TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' },
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
