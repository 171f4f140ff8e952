import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/compose.js';
import { systemClock } from '../../src/domain/clock.js';
import { openPostgresStore } from '../../src/storage/postgres/open.js';
import { basic } from '../support/api.js';
import { tempDataDir, testConfig } from '../support/app.js';
import { lapis, type ServerProcess, startServerProcess } from '../support/cli.js';
import { formFields, httpBrowser } from '../support/http-browser.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { within } from '../support/request-loop.js';

const tokenSecret = 'cd'.repeat(32);
const sessionSecret = 'ef'.repeat(32);
const metricsToken = 'metrics-'.repeat(5);
const password = 'correct horse battery staple';

interface Prepared {
  alice: Awaited<ReturnType<ReturnType<typeof buildServices>['users']['add']>>;
  organizationId: string;
}

/** A sample from one instance's /metrics: the value of one series (0 when absent). */
async function series(server: ServerProcess, name: string, labels: string): Promise<number> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  const text = await response.text();
  const prefixes = labels === '' ? [`${name} `] : [`${name}{${labels}}`, `${name}{${labels},`];
  const line = text.split('\n').find((each) => prefixes.some((prefix) => each.startsWith(prefix)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe.skipIf(!postgresAvailable)('three `lapis serve` processes on one PostgreSQL', () => {
  const url = (() => {
    const parsed = new URL(postgresUrl);
    parsed.searchParams.set('schema', uniqueSchema());
    return parsed.toString();
  })();
  const servers: ServerProcess[] = [];
  let prepared: Prepared;
  let services: ReturnType<typeof buildServices>;
  const store = openPostgresStore({ url, poolSize: 2 });
  const shared = {
    LAPIS_DATABASE_URL: url,
    LAPIS_TOKEN_SECRET: tokenSecret,
    LAPIS_SESSION_SECRET: sessionSecret,
    LAPIS_OAUTH_KEYS_FILE: join(tempDataDir(), 'oauth-keys.json'),
  };

  beforeAll(async () => {
    await store.migrate();
    services = buildServices(store, systemClock, testConfig({ LAPIS_TOKEN_SECRET: tokenSecret }));
    const alice = await services.users.add({ username: 'alice', password });
    const organization = await services.organizations.add('contoso', 'alice');
    prepared = { alice, organizationId: organization.id };
    const env = {
      ...shared,
      // The longest cache allowed: a refusal seen before it ages out came from the notice, not from expiry.
      LAPIS_AUTH_CACHE_MS: '1000',
      LAPIS_METRICS: 'token',
      LAPIS_METRICS_TOKEN: metricsToken,
    };
    // One data directory each (as on separate machines): only the database, the secrets and the signing keys are shared.
    for (let i = 0; i < 3; i++) servers.push(await startServerProcess({ ...env, LAPIS_DATA_DIR: tempDataDir() }));
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.stop();
    await store.close();
  });

  async function newPat(name: string): Promise<{ id: string; text: string }> {
    const created = await services.tokens.create({
      user: prepared.alice,
      displayName: name,
      scope: 'vso.project',
      organizationId: prepared.organizationId,
      days: 1,
    });
    return { id: created.token.id, text: created.text };
  }

  const projects = (server: ServerProcess, pat: string) =>
    fetch(`${server.url}/contoso/_apis/projects?api-version=7.1`, {
      headers: { ...basic(pat), 'x-tfs-fedauthredirect': 'Suppress' },
    }).then((response) => response.status);

  /** Every instance has the token verified and cached, so only a notice can make it refuse before the cache ages out. */
  async function warm(pat: string): Promise<void> {
    for (const server of servers) expect(await projects(server, pat)).toBe(200);
  }

  /** Waits until the instance has heard `count` token notices (read from its own /metrics), then asks once. */
  async function refusedAfterNotice(server: ServerProcess, pat: string, count: number): Promise<number> {
    await within(
      5_000,
      `${server.url} hears the revocation`,
      async () => (await series(server, 'lapis_change_notices_total', 'topic="tokens"')) >= count,
    );
    return projects(server, pat);
  }

  it('a PAT revoked on the web pages of one instance is refused by the other two', async () => {
    const pat = await newPat('revoked-on-the-web');
    await warm(pat.text);
    const [first, second, third] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const browser = httpBrowser(first.url);
    const form = await browser.get('/_signin');
    const signedIn = await browser.post('/_signin', {
      ...formFields(await form.text(), '/_signin'),
      username: 'alice',
      password,
    });
    expect(signedIn.status).toBe(303);
    const confirm = await browser.get(`/contoso/_usersSettings/tokens/${pat.id}/revoke`);
    expect(confirm.status).toBe(200);
    const action = `/contoso/_usersSettings/tokens/${pat.id}/revoke`;
    const revoked = await browser.post(action, formFields(await confirm.text(), action));
    expect(revoked.status).toBe(303);

    expect(await projects(first, pat.text)).toBe(401);
    expect(await refusedAfterNotice(second, pat.text, 1)).toBe(401);
    expect(await refusedAfterNotice(third, pat.text, 1)).toBe(401);
  });

  it('a PAT revoked with the CLI is refused by all three, and each records the notice lag', async () => {
    const pat = await newPat('revoked-by-the-cli');
    await warm(pat.text);
    const before = await Promise.all(servers.map((server) => series(server, 'lapis_change_notices_total', 'topic="tokens"')));
    const result = await lapis(['pat', 'revoke', pat.id], { ...shared, LAPIS_DATA_DIR: tempDataDir() });
    expect(result.status, result.stderr).toBe(0);
    for (const [index, server] of servers.entries()) {
      expect(await refusedAfterNotice(server, pat.text, (before[index] ?? 0) + 1)).toBe(401);
      expect(await series(server, 'lapis_change_notification_lag_seconds_count', '')).toBeGreaterThan(0);
    }
  });

  it('a user disabled with the CLI is refused by all three', async () => {
    const bob = await services.users.add({ username: 'bob' });
    await services.organizations.addMember('contoso', 'bob');
    const created = await services.tokens.create({
      user: bob,
      displayName: 'bob',
      scope: 'vso.project',
      organizationId: prepared.organizationId,
      days: 1,
    });
    await warm(created.text);
    const before = await Promise.all(servers.map((server) => series(server, 'lapis_change_notices_total', 'topic="users"')));
    const result = await lapis(['user', 'disable', 'bob'], { ...shared, LAPIS_DATA_DIR: tempDataDir() });
    expect(result.status, result.stderr).toBe(0);
    for (const [index, server] of servers.entries()) {
      await within(
        5_000,
        `${server.url} hears the user change`,
        async () => (await series(server, 'lapis_change_notices_total', 'topic="users"')) > (before[index] ?? 0),
      );
      expect(await projects(server, created.text)).toBe(401);
    }
  });
});
