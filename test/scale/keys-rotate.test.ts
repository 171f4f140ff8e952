import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices, type Services } from '../../src/compose.js';
import { systemClock } from '../../src/domain/clock.js';
import type { User } from '../../src/domain/entities.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { openPostgresStore } from '../../src/storage/postgres/open.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { tempDataDir, testConfig } from '../support/app.js';
import { lapis, type ServerProcess, startServerProcess } from '../support/cli.js';
import { authorizeCode, callback, registerTestApp } from '../support/oauth.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { within } from '../support/request-loop.js';

/** What `lapis keys rotate` promises a running server: the change is picked up within a second. */
const pickUpMs = 1_000;

interface Setup {
  name: string;
  available: boolean;
  /** The store the test prepares through, and the settings the server and the CLI share with it. */
  prepare(): { store: KyselyStore; env: Record<string, string> };
}

const secrets = { LAPIS_TOKEN_SECRET: '12'.repeat(32), LAPIS_SESSION_SECRET: '34'.repeat(32) };

const setups: Setup[] = [
  {
    name: 'SQLite',
    available: true,
    prepare() {
      const dataDir = tempDataDir();
      const env = { ...secrets, LAPIS_DATA_DIR: dataDir, LAPIS_OAUTH_KEYS_FILE: join(dataDir, 'oauth-keys.json') };
      return { store: openSqliteStore(join(dataDir, 'lapis.db')), env };
    },
  },
  {
    name: 'PostgreSQL',
    available: postgresAvailable,
    prepare() {
      const url = new URL(postgresUrl);
      url.searchParams.set('schema', uniqueSchema());
      // The server and the CLI each have a data directory of their own, as on separate machines; the key file is shared.
      const env = {
        ...secrets,
        LAPIS_DATABASE_URL: url.toString(),
        LAPIS_DATA_DIR: tempDataDir(),
        LAPIS_OAUTH_KEYS_FILE: join(tempDataDir(), 'oauth-keys.json'),
      };
      return { store: openPostgresStore({ url: url.toString(), poolSize: 2 }), env };
    },
  },
];

/** The key id in an access token's JWT header. */
function keyIdOf(accessToken: string): string {
  const [header = ''] = accessToken.split('.');
  return (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid: string }).kid;
}

for (const setup of setups) {
  describe.skipIf(!setup.available)(`\`lapis keys rotate\` reaching a running \`lapis serve\` on ${setup.name}`, () => {
    const { store, env } = setup.prepare();
    let server: ServerProcess;
    let services: Services;
    let alice: User;
    let client: Awaited<ReturnType<typeof registerTestApp>>;

    beforeAll(async () => {
      await store.migrate();
      services = buildServices(store, systemClock, testConfig(env));
      alice = await services.users.add({ username: 'alice' });
      await services.organizations.add('contoso', 'alice');
      client = await registerTestApp(services, alice, 'vso.project');
      server = await startServerProcess({ ...env, LAPIS_AUTH_CACHE_MS: '1000' });
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      await services?.audit.close();
      await store.close();
    });

    /** An access token from the running server's token endpoint, signed with whatever key it holds now. */
    async function accessToken(): Promise<string> {
      const response = await fetch(`${server.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: client.secret,
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: await authorizeCode(services, alice, { clientId: client.app.id }),
          redirect_uri: callback,
        }).toString(),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { access_token: string }).access_token;
    }

    const projects = (token: string) =>
      fetch(`${server.url}/contoso/_apis/projects?api-version=7.1`, {
        headers: { authorization: `Bearer ${token}`, 'x-tfs-fedauthredirect': 'Suppress' },
      }).then((response) => response.status);

    const publishedKeys = async () =>
      ((await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys
        .map((key) => key.kid)
        .sort();

    async function rotate(args: string[] = []): Promise<{ active: string; retired: string[]; dropped: string[] }> {
      const result = await lapis(['keys', 'rotate', '--json', ...args], env);
      expect(result.status, result.stderr).toBe(0);
      return JSON.parse(result.stdout);
    }

    it('signs with the new key and keeps accepting the old one; after --drop-retired refuses tokens of the dropped keys', async () => {
      const first = await accessToken();
      const firstKey = keyIdOf(first);
      expect(await projects(first)).toBe(200);
      expect(await publishedKeys()).toEqual([firstKey]);

      const rotation = await rotate();
      expect(rotation.retired).toEqual([firstKey]);
      await within(pickUpMs, 'the server publishes the new key', async () => (await publishedKeys()).includes(rotation.active));
      const second = await accessToken();
      expect(keyIdOf(second)).toBe(rotation.active);
      // A rotation without --drop-retired ends nobody's access.
      expect(await projects(first)).toBe(200);
      expect(await projects(second)).toBe(200);

      const emergency = await rotate(['--drop-retired']);
      expect(emergency.dropped.sort()).toEqual([firstKey, rotation.active].sort());
      await within(pickUpMs, 'the server refuses tokens of the dropped keys', async () => (await projects(first)) === 401);
      expect(await projects(second)).toBe(401);
      expect(await publishedKeys()).toEqual([emergency.active]);
      const third = await accessToken();
      expect(keyIdOf(third)).toBe(emergency.active);
      expect(await projects(third)).toBe(200);
    }, 120_000);
  });
}
