import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'forks',
    // Most files wait on servers, browsers and databases; Vitest's default (CPUs - 1) is one worker on a 2-core machine.
    // Three workers timed out CLI-over-PostgreSQL tests in CI's Node 24 leg; two leave headroom.
    maxWorkers: 2,
    // Each file builds its own app, stores and servers, and src keeps no mutable state at module level, so a worker
    // can keep the modules it has loaded: re-importing the server for each of 126 files was 40% of the suite's time.
    isolate: false,
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/count-reporter.ts'],
  },
});
