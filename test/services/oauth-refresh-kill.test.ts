import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import type { Store } from '../../src/storage/ports.js';
import { openPostgresStore } from '../../src/storage/postgres/open.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { tempDataDir } from '../support/app.js';
import { type ServerProcess, startServerProcess } from '../support/cli.js';
import { authorizeCode, callback, registerTestApp } from '../support/oauth.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { seedWorld } from '../support/world.js';

const tokenSecret = '7a'.repeat(32);
const chains = 4;
const trials = 2;

interface Database {
  name: string;
  available: boolean;
  /** The URL `lapis serve` is given, and a store on the same database for the set-up. */
  open(dataDir: string): { url: string; store: Store };
}

const databases: Database[] = [
  {
    name: 'sqlite',
    available: true,
    open: (dataDir) => ({ url: '', store: openSqliteStore(join(dataDir, 'lapis.db')) }),
  },
  {
    name: 'postgres',
    available: postgresAvailable,
    open: () => {
      const url = new URL(postgresUrl);
      url.searchParams.set('schema', uniqueSchema());
      return { url: url.toString(), store: openPostgresStore({ url: url.toString() }) };
    },
  },
];

async function refresh(server: ServerProcess, appId: string, secret: string, refreshToken: string): Promise<Response> {
  return fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: appId,
      client_secret: secret,
    }),
  });
}

for (const database of databases) {
  describe.skipIf(!database.available)(`OAuth refresh when the serving process is killed (${database.name})`, () => {
    let server: ServerProcess | undefined;
    afterEach(async () => {
      await server?.stop('SIGKILL');
    });

    it('keeps every grant usable with the last refresh token the client holds, after SIGKILL during refresh loops', async () => {
      const dataDir = tempDataDir();
      const { url, store } = database.open(dataDir);
      const env = { LAPIS_DATA_DIR: dataDir, LAPIS_TOKEN_SECRET: tokenSecret, ...(url && { LAPIS_DATABASE_URL: url }) };
      const held: string[] = [];
      let appId: string;
      let secret: string;
      try {
        await store.migrate();
        const world = await seedWorld(store, systemClock, env);
        const registered = await registerTestApp(world.services, world.alice);
        appId = registered.app.id;
        secret = registered.secret;
        for (let i = 0; i < chains; i++) {
          const code = await authorizeCode(world.services, world.alice, { clientId: appId, scope: 'vso.build' });
          const issued = await world.services.oauthTokens.exchangeCode({
            client: { secret },
            code,
            redirectUri: callback,
            issuer: 'http://lapis.test',
          });
          held.push(issued.refreshToken);
        }
      } finally {
        await store.close();
      }

      const refused: string[] = [];
      let refreshes = 0;
      for (let trial = 0; trial <= trials; trial++) {
        server = await startServerProcess(env);
        const current = server;
        // First the token each client held when the previous process died, whose answer it may never have seen.
        for (let chain = 0; chain < chains; chain++) {
          const response = await refresh(current, appId, secret, held[chain] as string);
          const body = (await response.json()) as { refresh_token?: string; error_description?: string };
          if (response.status !== 200 || !body.refresh_token) refused.push(`trial ${trial}: ${body.error_description}`);
          else held[chain] = body.refresh_token;
        }
        if (trial === trials) break;
        let running = true;
        const before = refreshes;
        const loops = held.map(async (_, chain) => {
          while (running) {
            try {
              const response = await refresh(current, appId, secret, held[chain] as string);
              const body = (await response.json()) as { refresh_token?: string; error_description?: string };
              if (response.status !== 200 || !body.refresh_token) {
                refused.push(`trial ${trial}, loop: ${body.error_description}`);
                return;
              }
              held[chain] = body.refresh_token;
              refreshes++;
            } catch {
              return;
            }
          }
        });
        // The kill must land while refreshes are flowing, however slowly a loaded machine runs them.
        while (refreshes - before < chains && refused.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 700));
        await current.stop('SIGKILL');
        running = false;
        await Promise.all(loops);
      }
      expect(refused).toEqual([]);
      expect(refreshes).toBeGreaterThanOrEqual(trials * chains);
    }, 90_000);
  });
}
