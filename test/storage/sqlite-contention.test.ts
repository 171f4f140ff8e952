import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/compose.js';
import { systemClock } from '../../src/domain/clock.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { apiFixture, basic, caller } from '../support/api.js';
import { tempDataDir, testApp, testConfig } from '../support/app.js';
import { type ServerProcess, startServerProcess } from '../support/cli.js';
import { startRequestLoop } from '../support/request-loop.js';

const tokenSecret = 'cd'.repeat(32);

describe('SQLite shared by a serving process and another writer (the CLI beside the server)', () => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it('queues builds over HTTP while the other connection writes the same file, with no 500 "database is locked"', async () => {
    const dataDir = tempDataDir();
    const cli = openSqliteStore(join(dataDir, 'lapis.db'));
    await cli.migrate();
    const services = buildServices(cli, systemClock, testConfig({ LAPIS_TOKEN_SECRET: tokenSecret }));
    const alice = await services.users.add({ username: 'alice' });
    const organization = await services.organizations.add('contoso', 'alice');
    const project = await services.projects.add(organization.id, { name: 'web' });
    const definition = await services.definitions.create(project, alice, { name: 'ci' });
    const pat = await services.tokens.create({
      user: alice,
      displayName: 'load',
      scope: 'vso.build_execute',
      organizationId: organization.id,
      days: 1,
    });
    server = await startServerProcess({ LAPIS_DATA_DIR: dataDir, LAPIS_TOKEN_SECRET: tokenSecret });

    const loop = startRequestLoop(server.url, [
      {
        name: 'queue',
        method: 'POST',
        path: '/contoso/web/_apis/build/builds?api-version=7.1',
        headers: { ...basic(pat.text), 'content-type': 'application/json' },
        body: JSON.stringify({ definition: { id: definition.id } }),
      },
    ]);
    // The other writer: the same read-then-write transactions from its own connection, yielding between them
    // only so that this process's HTTP client gets to send.
    let written = 0;
    try {
      while (loop.outcomes.length < 150) {
        await services.builds.queue(project, alice, { definitionId: definition.id });
        written++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await loop.stop();
      await cli.close();
    }
    const failures = loop.outcomes.filter((o) => o.status !== 200);
    expect(failures.slice(0, 3), `${failures.length} of ${loop.outcomes.length} queue requests failed`).toEqual([]);
    expect(written).toBeGreaterThan(50);
    expect(server.alive()).toBe(true);
  });

  it('answers 503 with Retry-After, not 500, when another process keeps the write lock past the busy timeout', async () => {
    const file = join(tempDataDir(), 'lapis.db');
    const store = openSqliteStore(file);
    await store.migrate();
    const lapis = await testApp(store);
    try {
      const fixture = await apiFixture(lapis);
      const pat = await fixture.pat('vso.build_execute');
      const call = caller(lapis.app);
      expect(
        (await call('POST', '/contoso/web/_apis/build/definitions?api-version=7.1', { pat, body: { name: 'ci' } })).statusCode,
      ).toBe(200);
      const queue = () =>
        call('POST', '/contoso/web/_apis/build/builds?api-version=7.1', { pat, body: { definition: { id: 1 } } });
      const other = new Sqlite(file);
      other.exec('begin immediate');
      const locked = await queue();
      other.exec('rollback');
      other.close();
      expect(locked.statusCode).toBe(503);
      expect(locked.headers['retry-after']).toBe('5');
      expect(locked.json()).toMatchObject({ typeKey: 'DatabaseConnectionException' });
      expect((await queue()).statusCode).toBe(200);
    } finally {
      await lapis.app.close();
      await lapis.store.close();
    }
  });
});
