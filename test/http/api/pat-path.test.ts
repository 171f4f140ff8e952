import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/storage/kysely/store.js';
import { type ApiFixture, apiFixture, caller } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';

const [sqlite] = backends();

const repositories = ['tokens', 'users', 'organizations', 'projects', 'oauthGrants', 'oauthApps'] as const;

/** Counts every call the app makes to the repositories an authenticated request could touch, by `repository.method`. */
function countStorageCalls(store: KyselyStore): Map<string, number> {
  const calls = new Map<string, number>();
  for (const name of repositories) {
    const repository = store[name] as unknown as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(repository))) {
      const method = repository[key];
      if (key === 'constructor' || typeof method !== 'function') continue;
      repository[key] = (...args: unknown[]) => {
        calls.set(`${name}.${key}`, (calls.get(`${name}.${key}`) ?? 0) + 1);
        return (method as (...a: unknown[]) => unknown).apply(repository, args);
      };
    }
  }
  return calls;
}

describe('the PAT path', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let fixture: ApiFixture;
  let store: KyselyStore;

  beforeAll(async () => {
    store = await sqlite!.open();
    lapis = await testApp(store);
    fixture = await apiFixture(lapis);
  });
  afterAll(async () => {
    await lapis.app.close();
    await sqlite!.cleanup();
  });

  it('reaches storage once for the token with its user, once for the memberships, and not at all again', async () => {
    const pat = await fixture.pat('vso.build');
    const calls = countStorageCalls(store);
    const response = await caller(lapis.app)('GET', '/contoso/_apis/connectionData', { pat });
    expect(response.statusCode).toBe(200);
    expect(Object.fromEntries(calls)).toEqual({
      'organizations.findByName': 1,
      'tokens.findByHashWithOwner': 1,
      'organizations.listForMember': 1,
      'tokens.setLastUsed': 1,
    });
    calls.clear();
    expect((await caller(lapis.app)('GET', '/contoso/_apis/connectionData', { pat })).statusCode).toBe(200);
    // The organization comes from the reference cache now, the token from the verifier's: no storage at all.
    expect(Object.fromEntries(calls)).toEqual({});
  });
});
