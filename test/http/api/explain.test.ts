import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildsLocation } from '../../../src/http/api/areas/build/builds.js';
import { type ApiFixture, apiFixture, basic } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`explain on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let fixture: ApiFixture;
    let url: string;
    const tokens: Record<string, string> = {};

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      fixture = await apiFixture(lapis);
      const fabrikam = await lapis.services.organizations.add('fabrikam', 'alice');
      tokens.build = await fixture.pat('vso.build');
      tokens.code = await fixture.pat('vso.code');
      tokens.elsewhere = await fixture.pat('vso.build_execute', fabrikam.id);
      tokens.global = await fixture.pat('app_token', null);
      const revoked = await lapis.services.tokens.create({
        user: fixture.alice,
        displayName: 'revoked',
        scope: 'vso.build',
        organizationId: fixture.organization.id,
        days: 30,
      });
      await lapis.services.tokens.revoke(revoked.token);
      // bob's tokens are never shown to alice.
      const bob = await lapis.services.users.add({ username: 'bob' });
      await lapis.services.organizations.addMember('contoso', 'bob');
      await lapis.services.tokens.create({ user: bob, displayName: 'bobs', scope: 'vso.build', organizationId: null, days: 9 });
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    const explain = (query: Record<string, string>, pat = tokens.code!) =>
      fetch(`${url}/contoso/_apis/explain?${new URLSearchParams({ 'api-version': '7.1', ...query })}`, { headers: basic(pat) });

    it('names the route, its versions and scope, and which of the caller’s tokens would pass', async () => {
      const response = await explain({ method: 'get', path: '/contoso/web/_apis/build/builds?$top=5' });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({
        method: 'GET',
        path: '/contoso/web/_apis/build/builds',
        locationId: buildsLocation.id,
        area: buildsLocation.area,
        resourceName: buildsLocation.resourceName,
        routeTemplate: buildsLocation.routeTemplate,
        routeValues: { organization: 'contoso', project: 'web' },
        versions: { min: buildsLocation.minVersion, max: buildsLocation.maxVersion, released: buildsLocation.releasedVersion },
        operation: { scopes: [{ id: 'vso.build', title: 'Build (read)' }], accepts: null, anonymous: false },
      });
      expect(body.methods).toContain('POST');
      const verdicts = Object.fromEntries(
        body.tokens.map((t: { displayName: string; passes: boolean; reason: string | null }) => [
          t.displayName,
          t.reason ?? 'passes',
        ]),
      );
      expect(verdicts).toEqual({
        'vso.build': 'passes',
        'vso.code': 'insufficientScope',
        'vso.build_execute': 'wrongOrganization',
        app_token: 'passes',
        revoked: 'revoked',
      });
    });

    it('answers for a method the route does not serve, and refuses what it cannot explain with 400', async () => {
      const unsupported = await (await explain({ method: 'PUT', path: '/contoso/_apis/projects' })).json();
      expect(unsupported).toMatchObject({ area: 'core', operation: null, tokens: [] });
      expect(unsupported.methods).toContain('GET');
      for (const [query, message] of [
        [{ method: 'GET' }, /method and path are required/],
        [{ method: 'FETCH', path: '/contoso/_apis/projects' }, /method must be one of/],
        [{ method: 'GET', path: 'contoso/_apis/projects' }, /must start with/],
        [{ method: 'GET', path: '/contoso/_apis/nothing/here' }, /No route of this server answers/],
        [{ method: 'GET', path: '/fabrikam/_apis/projects' }, /Explain paths of this organization here/],
      ] as const) {
        const refused = await explain(query);
        expect(refused.status).toBe(400);
        expect((await refused.json()).message).toMatch(message);
      }
    });

    it('needs a credential, but no scope beyond discovery', async () => {
      expect(
        (
          await fetch(`${url}/contoso/_apis/explain?method=GET&path=/contoso/_apis/projects`, {
            headers: { 'x-tfs-fedauthredirect': 'Suppress' },
          })
        ).status,
      ).toBe(401);
      expect((await explain({ method: 'GET', path: '/contoso/_apis/projects' }, tokens.build)).status).toBe(200);
    });
  });
}
