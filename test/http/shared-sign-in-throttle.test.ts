import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { testApp } from '../support/app.js';
import { backends, openSecondConnection } from '../support/backends.js';
import { formFields, httpBrowser } from '../support/http-browser.js';
import { authorizeCode, callback, registerTestApp } from '../support/oauth.js';
import { redisAvailable, uniqueRedisUrl } from '../support/redis.js';

type Lapis = Awaited<ReturnType<typeof testApp>>;

const [sqlite, postgres] = backends();
const limit = 3;
const password = 'the right password for erin';

/**
 * Where the instances share their failure counts. SQLite alone has none (each process counts by itself), so it is
 * tried with Redis; PostgreSQL both on its own table and with Redis.
 */
const setups = [
  { name: 'PostgreSQL', backend: postgres!, available: postgres!.available, redis: false },
  { name: 'PostgreSQL and Redis', backend: postgres!, available: postgres!.available && redisAvailable, redis: true },
  { name: 'SQLite and Redis', backend: sqlite!, available: redisAvailable, redis: true },
];

for (const setup of setups) {
  describe.skipIf(!setup.available)(`sign-in and OAuth client throttles across two listening instances (${setup.name})`, () => {
    const instances: { lapis: Lapis; url: string }[] = [];
    const extraStores: KyselyStore[] = [];

    afterAll(async () => {
      for (const { lapis } of instances) await lapis.app.close();
      for (const store of extraStores) await store.close();
      await setup.backend.cleanup();
    });

    /** Two instances on one database, each with its own memory: what they agree on comes from the shared count. */
    async function twoInstances(): Promise<[{ lapis: Lapis; url: string }, { lapis: Lapis; url: string }]> {
      const store = await setup.backend.open();
      const second = openSecondConnection(store);
      extraStores.push(second);
      const env = {
        LAPIS_TOKEN_SECRET: 'ab'.repeat(32),
        LAPIS_SESSION_SECRET: 'cd'.repeat(32),
        LAPIS_AUTH_FAILURE_LIMIT: String(limit),
        ...(setup.redis && { LAPIS_REDIS_URL: uniqueRedisUrl() }),
      };
      const pair: { lapis: Lapis; url: string }[] = [];
      for (const instanceStore of [store, second]) {
        const lapis = await testApp(instanceStore, { env });
        await lapis.app.listen({ port: 0, host: '127.0.0.1' });
        const instance = { lapis, url: `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}` };
        instances.push(instance);
        pair.push(instance);
      }
      return [pair[0]!, pair[1]!];
    }

    it('a name refused on both instances up to the limit is throttled on the next attempt, the right password included', async () => {
      const [first, second] = await twoInstances();
      await first.lapis.services.users.add({ username: 'erin', password });
      const signIn = async (url: string, attempt: string) => {
        const browser = httpBrowser(url);
        const form = await browser.get('/_signin');
        return browser.post('/_signin', { ...formFields(await form.text(), '/_signin'), username: 'erin', password: attempt });
      };
      // Alternating, so neither instance has seen the limit reached by its own refusals.
      for (const url of [first.url, second.url, first.url]) expect((await signIn(url, 'a wrong guess')).status).toBe(400);
      const held = await signIn(second.url, password);
      expect(held.status).toBe(429);
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await signIn(first.url, password)).status).toBe(429);
    });

    it('wrong client secrets counted on both instances hold the app back on the next exchange, the right secret included', async () => {
      const [first, second] = await twoInstances();
      const alice = await first.lapis.services.users.add({ username: 'alice' });
      await first.lapis.services.organizations.add('contoso', 'alice');
      const client = await registerTestApp(first.lapis.services, alice);
      const exchange = async (url: string, secret: string) =>
        fetch(`${url}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: secret,
            grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
            assertion: await authorizeCode(first.lapis.services, alice, { clientId: client.app.id }),
            redirect_uri: callback,
          }).toString(),
        });
      for (const url of [first.url, second.url, first.url]) {
        const refused = await exchange(url, 'not-the-secret');
        expect(refused.status).toBe(401);
        expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
      }
      const held = await exchange(second.url, client.secret);
      expect(held.status).toBe(429);
      expect(await held.json()).toEqual({ error: 'invalid_client', error_description: expect.stringMatching(/Too many failed/) });
      expect((await exchange(first.url, client.secret)).status).toBe(429);
    });
  });
}
