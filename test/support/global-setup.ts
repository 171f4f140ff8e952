import { randomBytes } from 'node:crypto';
import { dropRunSchemas, postgresAvailable } from './postgres.js';

/**
 * Names this run for the PostgreSQL schemas its test files create (workers inherit the variable) and drops
 * them all once every file has finished.
 */
export default function setup(): () => Promise<void> {
  const run = randomBytes(4).toString('hex');
  process.env.LAPIS_TEST_RUN_ID = run;
  return async () => {
    if (postgresAvailable) await dropRunSchemas(run);
  };
}
