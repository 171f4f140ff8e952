import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/storage/kysely/store.js';
import { type ApiFixture, apiFixture, basic } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends, openSecondConnection } from '../../support/backends.js';
import { movableClock } from '../../support/clock.js';

const secrets = { LAPIS_TOKEN_SECRET: 'cd'.repeat(32), LAPIS_AUTH_CACHE_MS: '500' };
const rulesPath = '/contoso/_apis/tokenadmin/revocationrules?api-version=7.1-preview.1';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`token admin revocation rules on ${backend.name}`, () => {
    const clock = movableClock(new Date().toISOString());
    let store: KyselyStore;
    let first: Awaited<ReturnType<typeof testApp>>;
    let second: Awaited<ReturnType<typeof testApp>>;
    let other: KyselyStore;
    let fixture: ApiFixture;
    let firstUrl: string;
    let secondUrl: string;

    beforeAll(async () => {
      store = await backend.open();
      first = await testApp(store, { env: secrets, clock });
      // The second instance: its own connection to the same database, its own caches.
      other = openSecondConnection(store);
      second = await testApp(other, { env: secrets, clock });
      fixture = await apiFixture(first);
      await first.services.users.add({ username: 'bob' });
      await first.services.organizations.addMember('contoso', 'bob');
      for (const lapis of [first, second]) await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      firstUrl = `http://127.0.0.1:${(first.app.server.address() as AddressInfo).port}`;
      secondUrl = `http://127.0.0.1:${(second.app.server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await first.app.close();
      await second.app.close();
      await other.close();
      await backend.cleanup();
    });

    const post = (pat: string, body: unknown) =>
      fetch(`${firstUrl}${rulesPath}`, {
        method: 'POST',
        headers: { ...basic(pat), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const builds = async (base: string, pat: string) =>
      (await fetch(`${base}/contoso/web/_apis/build/builds?api-version=7.1`, { headers: basic(pat) })).status;

    it('is for organization admins holding vso.tokenadministration, and judges its input', async () => {
      const bob = await first.services.users.get('bob');
      const bobs = await first.services.tokens.create({
        user: bob,
        displayName: 'admin?',
        scope: 'vso.tokenadministration',
        organizationId: fixture.organization.id,
      });
      const refused = await post(bobs.text, { scopes: 'vso.code', createdBefore: clock.now().toISOString() });
      expect(refused.status).toBe(403);
      expect((await refused.json()).typeKey).toBe('AccessCheckException');
      const unscoped = await fixture.pat('vso.build');
      expect((await post(unscoped, { scopes: 'vso.code', createdBefore: clock.now().toISOString() })).status).toBe(401);
      const admin = await fixture.pat('vso.tokenadministration');
      expect((await post(admin, { scopes: 'vso.nothing', createdBefore: clock.now().toISOString() })).status).toBe(400);
      expect((await post(admin, { scopes: 'vso.code', createdBefore: 'yesterday-ish' })).status).toBe(400);
      expect((await post(admin, { scopes: 'vso.code' })).status).toBe(400);
    });

    it('stops matching tokens on this instance at once and on another within the cache lifetime', async () => {
      const admin = await fixture.pat('vso.tokenadministration');
      const build = await fixture.pat('vso.build');
      const buildExecute = await fixture.pat('vso.build_execute');
      const full = await fixture.pat('app_token');
      const global = await fixture.pat('vso.build', null);
      const unrelated = await fixture.pat('vso.project vso.code');
      const all = [build, buildExecute, full, global, unrelated];
      // Every token verified (and cached) on both instances first.
      for (const pat of all) {
        expect(await builds(firstUrl, pat)).toBe(pat === unrelated ? 401 : 200);
        expect(await builds(secondUrl, pat)).toBe(pat === unrelated ? 401 : 200);
      }
      clock.advance(1);
      const created = await post(admin, { scopes: 'vso.build', createdBefore: clock.now().toISOString() });
      expect(created.status).toBe(201);
      clock.advance(1);
      const later = await fixture.pat('vso.build');

      for (const pat of [build, buildExecute, full, global]) expect(await builds(firstUrl, pat)).toBe(401);
      expect(await builds(firstUrl, later)).toBe(200);
      // The other instance still holds the rule set it loaded; within the bound it catches up.
      clock.advance(500);
      for (const pat of [build, buildExecute, full, global]) expect(await builds(secondUrl, pat)).toBe(401);
      expect(await builds(secondUrl, later)).toBe(200);
      // The unrelated token keeps its own scopes' access.
      const projects = await fetch(`${secondUrl}/contoso/_apis/projects?api-version=7.1`, { headers: basic(unrelated) });
      expect(projects.status).toBe(200);
    });
  });
}
