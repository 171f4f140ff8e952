import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, apiFixture } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends, openSecondConnection } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { redisAvailable, redisUrl, uniqueRedisUrl } from '../support/redis.js';
import { within } from '../support/request-loop.js';

type Lapis = Awaited<ReturnType<typeof testApp>>;
const postgres = backends().find((backend) => backend.name === 'postgres');
/** Every connection an instance opens to Redis carries this name, so the test can count them. */
const connectionName = `lapis-test-${randomBytes(6).toString('hex')}`;
const sharedRedisUrl = (() => {
  const url = new URL(uniqueRedisUrl());
  url.searchParams.set('connectionName', connectionName);
  return url.toString();
})();
const env = { LAPIS_TOKEN_SECRET: 'ab'.repeat(32), LAPIS_REDIS_URL: sharedRedisUrl };

/** Connections Redis holds under the test's name (CLIENT LIST, asked on a connection of the test's own). */
async function namedConnections(): Promise<number> {
  const observer = new Redis(redisUrl, { lazyConnect: true });
  try {
    const list = (await observer.call('CLIENT', 'LIST')) as string;
    return list.split('\n').filter((line) => line.includes(` name=${connectionName} `)).length;
  } finally {
    observer.disconnect();
  }
}

describe.skipIf(!postgres?.available || !redisAvailable)(
  'a token rate limit shared by two instances over PostgreSQL and Redis',
  () => {
    const clock = movableClock('2026-06-01T12:00:30.000Z');
    const instances: Lapis[] = [];
    const urls: string[] = [];
    let fixture: ApiFixture;

    beforeAll(async () => {
      const store = await postgres!.open();
      for (const instanceStore of [store, openSecondConnection(store)]) {
        const lapis = await testApp(instanceStore, { clock, env });
        await lapis.app.listen({ port: 0, host: '127.0.0.1' });
        instances.push(lapis);
        urls.push(`http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}`);
      }
      fixture = await apiFixture(instances[0]!);
    });
    afterAll(async () => {
      for (const lapis of instances) if (lapis.app.server.listening) await lapis.app.close();
      await instances[1]?.store.close();
      await postgres!.cleanup();
    });

    it('counts one window across both instances: each answer says what remains of the shared limit', async () => {
      const { text } = await instances[0]!.services.tokens.create({
        user: fixture.alice,
        displayName: 'shared',
        scope: 'vso.build',
        organizationId: fixture.organization.id,
        days: 7,
        restrictions: { rateLimit: '4/min' },
      });
      const call = (url: string) =>
        fetch(`${url}/contoso/web/_apis/build/builds?api-version=7.1`, {
          headers: { authorization: `Basic ${Buffer.from(`:${text}`).toString('base64')}`, 'x-tfs-fedauthredirect': 'Suppress' },
        });
      const answers: [number, string | null][] = [];
      for (const url of [urls[0]!, urls[1]!, urls[0]!, urls[1]!, urls[0]!, urls[1]!]) {
        const response = await call(url);
        answers.push([response.status, response.headers.get('ratelimit-remaining')]);
      }
      expect(answers).toEqual([
        [200, '3'],
        [200, '2'],
        [200, '1'],
        [200, '0'],
        [429, '0'],
        [429, '0'],
      ]);
      clock.advance(30_000);
      const fresh = await call(urls[1]!);
      expect(fresh.status).toBe(200);
      expect(fresh.headers.get('ratelimit-remaining')).toBe('3');
    });

    it('each instance counts rates and failures on one Redis connection, closed with the instance', async () => {
      const wrong = `Basic ${Buffer.from(`:${'a'.repeat(52)}`).toString('base64')}`;
      for (const url of urls) {
        const refused = await fetch(`${url}/contoso/_apis/projects?api-version=7.1`, {
          headers: { authorization: wrong, 'x-tfs-fedauthredirect': 'Suppress' },
        });
        expect(refused.status).toBe(401);
      }
      // Both instances have used both counters by now (the test above and these failures).
      expect(await namedConnections()).toBe(2);
      await instances[1]!.app.close();
      await within(2_000, 'the closed instance leaves Redis', async () => (await namedConnections()) === 1);
    });
  },
);

describe.skipIf(!redisAvailable)('a rate-limited token while Redis is away', () => {
  let lapis: Lapis;
  let url: string;
  let fixture: ApiFixture;
  const sqlite = backends()[0]!;

  beforeAll(async () => {
    // Nothing listens on port 1: the counter cannot be reached.
    lapis = await testApp(await sqlite.open(), { env: { LAPIS_REDIS_URL: 'redis://127.0.0.1:1/0' } });
    fixture = await apiFixture(lapis);
    await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await lapis.app.close();
    await sqlite.cleanup();
  });

  it('answers 503 with Retry-After for rate-limited tokens and serves unlimited ones as before', async () => {
    const limited = await lapis.services.tokens.create({
      user: fixture.alice,
      displayName: 'limited',
      scope: 'vso.build',
      organizationId: fixture.organization.id,
      days: 7,
      restrictions: { rateLimit: '10/s' },
    });
    const call = (pat: string) =>
      fetch(`${url}/contoso/web/_apis/build/builds?api-version=7.1`, {
        headers: { authorization: `Basic ${Buffer.from(`:${pat}`).toString('base64')}`, 'x-tfs-fedauthredirect': 'Suppress' },
      });
    const refused = await call(limited.text);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect((await refused.json()).message).not.toContain('127.0.0.1');
    expect((await call(await fixture.pat('vso.build'))).status).toBe(200);
  });
});
