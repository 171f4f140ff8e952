import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { buildServices } from '../../src/compose.js';
import { systemClock } from '../../src/domain/clock.js';
import { openPostgresStore } from '../../src/storage/postgres/open.js';
import { basic } from '../support/api.js';
import { logCapture, tempDataDir, testConfig } from '../support/app.js';
import { type ServerProcess, startServerProcess } from '../support/cli.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { type PrivatePostgres, privatePostgresAvailable, startPrivatePostgres } from '../support/private-postgres.js';
import { type LoopOutcome, type LoopRequest, startRequestLoop, within } from '../support/request-loop.js';
import { uiClient } from '../support/ui.js';

const tokenSecret = 'ab'.repeat(32);
const password = 'correct horse battery staple';

/** A database URL naming the schema and an application_name only this test's connections carry. */
function lapisUrl(base: string, schema: string, applicationName: string): string {
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

/** alice (with a password and a PAT), organization contoso, project web and one pipeline, written straight to the store. */
async function prepare(url: string): Promise<{ pat: string }> {
  const store = openPostgresStore({ url });
  try {
    await store.migrate();
    const services = buildServices(store, systemClock, testConfig({ LAPIS_TOKEN_SECRET: tokenSecret }));
    const alice = await services.users.add({ username: 'alice', password });
    const organization = await services.organizations.add('contoso', 'alice');
    const project = await services.projects.add(organization.id, { name: 'web' });
    await services.definitions.create(project, alice, { name: 'ci' });
    const pat = await services.tokens.create({
      user: alice,
      displayName: 'load',
      scope: 'vso.build_execute vso.project',
      organizationId: organization.id,
      days: 1,
    });
    return { pat: pat.text };
  } finally {
    await store.close();
  }
}

/** Reads, a write in a transaction, the health check and the token endpoint: every way a request reaches the database. */
function loadRequests(pat: string): LoopRequest[] {
  const api = { ...basic(pat), accept: 'application/json' };
  return [
    { name: 'projects', path: '/contoso/_apis/projects?api-version=7.1', headers: api },
    {
      name: 'queue',
      method: 'POST',
      path: '/contoso/web/_apis/build/builds?api-version=7.1',
      headers: { ...api, 'content-type': 'application/json' },
      body: JSON.stringify({ definition: { id: 1 } }),
    },
    { name: 'health', path: '/_health' },
    {
      name: 'token',
      method: 'POST',
      path: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=not-a-token&client_id=00000000-0000-0000-0000-000000000000',
    },
  ];
}

function serverEnv(url: string): Record<string, string> {
  return {
    LAPIS_DATABASE_URL: url,
    LAPIS_DATA_DIR: tempDataDir(),
    LAPIS_TOKEN_SECRET: tokenSecret,
    // Every request must reach the database, not a cached verification.
    LAPIS_AUTH_CACHE_MS: '0',
  };
}

const succeeded = (o: LoopOutcome) => o.status >= 200 && o.status < 500;

/** What every answer must satisfy whatever the database does: an answer, never a 500, a 503 that says when to retry. */
function expectOnlyServiceUnavailable(outcomes: readonly LoopOutcome[]): void {
  const unexpected = outcomes.filter((o) => !(succeeded(o) || o.status === 503));
  expect(unexpected.slice(0, 5), `${unexpected.length} answers were neither success nor 503`).toEqual([]);
  for (const o of outcomes.filter((each) => each.status === 503)) {
    expect(o.retryAfter, `${o.name}: ${o.body}`).toMatch(/^\d+$/);
    expect(o.contentType).toMatch(/^application\/json/);
    const body = JSON.parse(o.body) as Record<string, unknown>;
    if (o.name === 'token') expect(body).toMatchObject({ error: 'server_error' });
    else if (o.name === 'health') expect(body).toMatchObject({ status: 'unavailable', database: { status: 'down' } });
    else expect(body).toMatchObject({ typeKey: 'DatabaseConnectionException', message: expect.any(String) });
  }
}

describe.skipIf(!postgresAvailable)('PostgreSQL ending Lapis connections under load (pg_terminate_backend)', () => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it('keeps serving: a terminated connection costs at most a 503 for the request that used it', async () => {
    const applicationName = `lapis_outage_${randomBytes(4).toString('hex')}`;
    const url = lapisUrl(postgresUrl, uniqueSchema(), applicationName);
    const { pat } = await prepare(url);
    server = await startServerProcess(serverEnv(url));
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    const loop = startRequestLoop(server.url, loadRequests(pat));
    let terminated = 0;
    try {
      for (let round = 0; round < 15; round++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Only this test's own backends: other test runs share this server.
        const { rows } = await admin.query<{ ended: boolean }>(
          'select pg_terminate_backend(pid) as ended from pg_stat_activity where application_name = $1',
          [applicationName],
        );
        terminated += rows.filter((r) => r.ended).length;
      }
    } finally {
      await admin.end();
    }
    const outcomes = await loop.stop();
    expect(terminated).toBeGreaterThan(0);
    expect(server.alive(), server.output()).toBe(true);
    expectOnlyServiceUnavailable(outcomes);
    expect(outcomes.filter((o) => o.name === 'queue' && o.status === 200).length).toBeGreaterThan(0);
    const after = await fetch(`${server.url}/contoso/_apis/projects?api-version=7.1`, { headers: basic(pat) });
    expect(after.status).toBe(200);
  });
});

describe.skipIf(!privatePostgresAvailable)('a private PostgreSQL cluster restarted under load', () => {
  let cluster: PrivatePostgres | undefined;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    await cluster?.destroy();
  });

  it('answers 503 with Retry-After while the database is away, never exits, and recovers within 5 s of its return', async () => {
    cluster = await startPrivatePostgres();
    const url = lapisUrl(cluster.url, 'lapis', 'lapis_restart_test');
    const { pat } = await prepare(url);
    server = await startServerProcess(serverEnv(url));
    const running = server;
    // A second instance in this process: its web pages must fail as pages, and its failure must not end the test worker.
    const logs = logCapture();
    const store = openPostgresStore({ url });
    const inProcess = await buildApp({
      config: testConfig({ LAPIS_TOKEN_SECRET: tokenSecret }),
      store,
      logStream: logs.stream,
    });
    const browser = uiClient(inProcess.app);
    await browser.signIn('alice', password);
    expect(browser.hasSession()).toBe(true);
    expect((await browser.get('/')).statusCode).toBe(200);

    const apiAnswers = async () =>
      (await fetch(`${running.url}/contoso/_apis/projects?api-version=7.1`, { headers: basic(pat) })).status === 200;
    const loop = startRequestLoop(running.url, loadRequests(pat));
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await cluster.restart();
      await within(5_000, 'success after pg_ctl restart -m fast', apiAnswers);

      await cluster.stop();
      await within(5_000, '503 while stopped', async () => {
        const response = await fetch(`${running.url}/contoso/_apis/projects?api-version=7.1`, { headers: basic(pat) });
        return response.status === 503 && response.headers.get('retry-after') !== null;
      });
      const health = await fetch(`${running.url}/_health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'unavailable', database: { status: 'down' } });
      const page = await browser.get('/');
      expect(page.statusCode).toBe(503);
      expect(page.headers['retry-after']).toMatch(/^\d+$/);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('Service unavailable');
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      await cluster.start();
      await within(5_000, 'success after the database returned', apiAnswers);
      expect((await browser.get('/')).statusCode).toBe(200);
      expect(await (await fetch(`${running.url}/_health`)).json()).toMatchObject({ status: 'ok', database: { status: 'up' } });
    } finally {
      await loop.stop();
      await inProcess.app.close();
      await store.close();
    }
    expect(running.alive(), running.output()).toBe(true);
    expectOnlyServiceUnavailable(loop.outcomes);
    expect(loop.outcomes.filter((o) => o.status === 503).length).toBeGreaterThan(0);
  }, 60_000);
});
