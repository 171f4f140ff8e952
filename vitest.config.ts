import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'forks',
    // Most files wait on servers, browsers and databases; Vitest's default (CPUs - 1) is one worker on a 2-core machine.
    // Three workers timed out CLI-over-PostgreSQL tests in CI's Node 24 leg; two leave headroom.
    maxWorkers: 2,
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/count-reporter.ts'],
  },
});
