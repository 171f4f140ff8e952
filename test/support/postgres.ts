import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { underCi } from './ci.js';

export const postgresUrl = process.env.LAPIS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Whether PostgreSQL tests run. Without a server they skip with a visible notice, except under CI=true,
 * where a missing server is a failure.
 */
export const postgresAvailable: boolean = await (async () => {
  const ok = await reachable();
  if (!ok && underCi) {
    throw new Error(`PostgreSQL is required under CI but ${postgresUrl} is unreachable`);
  }
  if (!ok) console.warn(`\n*** NOTICE: PostgreSQL at ${postgresUrl} is unreachable: PostgreSQL tests are SKIPPED ***\n`);
  return ok;
})();

/** Set by the global setup: every schema this test run creates starts with `lapis_test_{runId}_`. */
const runId = process.env.LAPIS_TEST_RUN_ID ?? 'adhoc';

/**
 * A schema name unique to this run, so parallel and repeated runs never see each other's rows. Schemas are
 * dropped once, after the whole run (global setup's teardown), never while other test files run: Kysely's
 * migrator lists the tables of every schema, and a schema dropped under it fails that listing.
 */
export function uniqueSchema(): string {
  return `lapis_test_${runId}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Drops every schema the given run created. */
export async function dropRunSchemas(run: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      "select nspname from pg_namespace where nspname like 'lapis\\_test\\_' || $1 || '\\_%'",
      [run],
    );
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  } finally {
    await client.end();
  }
}
