import { createRequire } from 'node:module';
import type pg from 'pg';

let driver: typeof pg | undefined;

/**
 * The pg driver, loaded when the first PostgreSQL store of a process opens: a server on SQLite never loads it
 * (it holds several megabytes of resident memory once loaded).
 */
export function pgDriver(): typeof pg {
  driver ??= createRequire(import.meta.url)('pg') as typeof pg;
  return driver;
}
