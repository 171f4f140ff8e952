import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/compose.js';
import { systemClock } from '../../src/domain/clock.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { basic } from '../support/api.js';
import { tempDataDir, testConfig } from '../support/app.js';
import { lapis, type ServerProcess, startServerProcess } from '../support/cli.js';
import { within } from '../support/request-loop.js';

const tokenSecret = '12'.repeat(32);

async function noticesHeard(server: ServerProcess): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((each) => each.startsWith('lapis_change_notices_total{topic="all"}'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('a server and the CLI on one SQLite file', () => {
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it("the CLI's revocation is heard through data_version, and the token is refused", async () => {
    const dataDir = tempDataDir();
    const env = { LAPIS_DATA_DIR: dataDir, LAPIS_TOKEN_SECRET: tokenSecret };
    const store = openSqliteStore(join(dataDir, 'lapis.db'));
    let pat: { id: string; text: string };
    try {
      await store.migrate();
      const services = buildServices(store, systemClock, testConfig(env));
      const alice = await services.users.add({ username: 'alice' });
      const organization = await services.organizations.add('contoso', 'alice');
      const created = await services.tokens.create({
        user: alice,
        displayName: 'cli-revoked',
        scope: 'vso.project',
        organizationId: organization.id,
        days: 1,
      });
      pat = { id: created.token.id, text: created.text };
    } finally {
      await store.close();
    }
    // Metrics open: this server listens on loopback for this test only.
    server = await startServerProcess({ ...env, LAPIS_AUTH_CACHE_MS: '1000', LAPIS_METRICS: 'on' });
    const running = server;
    const projects = () =>
      fetch(`${running.url}/contoso/_apis/projects?api-version=7.1`, { headers: basic(pat.text) }).then((r) => r.status);
    expect(await projects()).toBe(200);
    const before = await noticesHeard(running);

    const result = await lapis(['pat', 'revoke', pat.id], env);
    expect(result.status, result.stderr).toBe(0);
    await within(5_000, 'the server notices the other process’s commit', async () => (await noticesHeard(running)) > before);
    expect(await projects()).toBe(401);
  }, 60_000);
});
