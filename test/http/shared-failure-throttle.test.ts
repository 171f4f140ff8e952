import { afterAll, describe, expect, it } from 'vitest';
import type { Lapis } from '../../src/app.js';
import { apiFixture, basic } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { redisAvailable, uniqueRedisUrl } from '../support/redis.js';

const [, postgres] = backends();
const limit = 3;

/** Two instances (two apps in this process, each with its own memory) on one PostgreSQL store. */
async function twoInstances(env: Record<string, string>): Promise<[Lapis, Lapis]> {
  const store = await postgres!.open();
  const settings = { ...env, LAPIS_TOKEN_SECRET: 'ab'.repeat(32), LAPIS_AUTH_FAILURE_LIMIT: String(limit) };
  return [await testApp(store, { env: settings }), await testApp(store, { env: settings })];
}

const sharedStores = [
  { name: 'PostgreSQL', available: postgres!.available, env: () => ({}) },
  { name: 'Redis', available: postgres!.available && redisAvailable, env: () => ({ LAPIS_REDIS_URL: uniqueRedisUrl() }) },
];

for (const shared of sharedStores) {
  describe.skipIf(!shared.available)(`failed tokens counted across instances in ${shared.name}`, () => {
    const apps: Lapis[] = [];
    afterAll(async () => {
      for (const lapis of apps) await lapis.app.close();
      await postgres!.cleanup();
    });

    it('an address refused on one instance is throttled on the other, and a valid token is not', async () => {
      const [first, second] = await twoInstances(shared.env());
      apps.push(first, second);
      const pat = await (await apiFixture(first)).pat('vso.project');
      const wrong = `${pat.slice(0, -4)}abcd`;
      const call = (lapis: Lapis, token: string) =>
        lapis.app.inject({ method: 'GET', url: '/contoso/_apis/projects?api-version=7.1', headers: basic(token) });

      for (let i = 0; i < limit; i++) expect((await call(first, wrong)).statusCode).toBe(401);
      const throttled = await call(second, wrong);
      expect(throttled.statusCode).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect((await call(first, wrong)).statusCode).toBe(429);
      // Only failures are counted and only failures are throttled.
      expect((await call(second, pat)).statusCode).toBe(200);
      expect((await call(first, pat)).statusCode).toBe(200);
    });
  });
}
