import { randomBytes } from 'node:crypto';

/**
 * Names this run for the PostgreSQL schemas its test files create (workers inherit the variable) and drops
 * them all once every file has finished. When the setup itself fails (under CI, a missing PostgreSQL),
 * Vitest runs no test and no reporter prints a count, so the failing count line is printed here.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const run = randomBytes(4).toString('hex');
  process.env.LAPIS_TEST_RUN_ID = run;
  try {
    const { dropRunSchemas, postgresAvailable } = await import('./postgres.js');
    return async () => {
      if (postgresAvailable) await dropRunSchemas(run);
    };
  } catch (error) {
    process.stdout.write('\ntests: 0 passed, 1 failed, 0 skipped\n');
    throw error;
  }
}
