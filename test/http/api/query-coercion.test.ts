import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, basic } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';

/** Integer and boolean query parameters are read once, by the router from the operation's schema, before any handler. */
for (const backend of backends()) {
  describe.skipIf(!backend.available)(`query numbers and booleans coerced by the schema on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let url: string;
    let pat: string;
    let definitionId: number;

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      const fixture = await apiFixture(lapis);
      pat = await fixture.pat('vso.build_execute vso.project_manage');
      const definition = await lapis.services.definitions.create(fixture.project, fixture.alice, { name: 'ci' });
      definitionId = definition.id;
      for (const name of ['alpha', 'beta']) await lapis.services.projects.add(fixture.organization.id, { name });
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}/contoso`;
    });

    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    const get = async (path: string, method = 'GET') => {
      const response = await fetch(`${url}/${path}${path.includes('?') ? '&' : '?'}api-version=7.1`, {
        method,
        headers: basic(pat),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    it.each([
      ['web/_apis/build/definitions?$top=abc', '$top must be a non-negative integer, not "abc".'],
      ['web/_apis/build/definitions?$top=-1', '$top must be a non-negative integer, not "-1".'],
      ['web/_apis/build/definitions?$top=1&$top=2', 'Give $top once, not ["1","2"].'],
      ['web/_apis/build/definitions?includeLatestBuilds=yes', 'includeLatestBuilds must be true or false, not "yes".'],
      ['web/_apis/build/definitions/1?revision=first', 'revision must be a non-negative integer, not "first".'],
      ['web/_apis/build/definitions/1/tags?revision=1.5', 'revision must be a non-negative integer, not "1.5".'],
      ['_apis/projects?$skip=ten', '$skip must be a non-negative integer, not "ten".'],
      ['_apis/projects/web?includeCapabilities=1', 'includeCapabilities must be true or false, not "1".'],
      ['_apis/projects/web/teams?$mine=often', '$mine must be true or false, not "often".'],
      ['_apis/connectionData?lastChangeId=x', 'lastChangeId must be a non-negative integer, not "x".'],
      ['web/_apis/build/builds/1/changes?$top=many', '$top must be a non-negative integer, not "many".'],
    ])('GET %s is a 400 naming the parameter', async (path, message) => {
      const { status, body } = await get(path);
      expect(status).toBe(400);
      expect(body).toMatchObject({ message, typeKey: 'ArgumentException' });
    });

    it('hands the handler numbers and booleans: limits, pages and flags take effect, an empty value is absent', async () => {
      const page = await get('_apis/projects?$top=1&$skip=1');
      expect((page.body.value as { name: string }[]).map((project) => project.name)).toEqual(['beta']);
      expect((await get('_apis/projects?$top=')).body.count).toBe(3);
      const full = await get(`web/_apis/build/definitions?includeAllProperties=TRUE&$top=1`);
      expect(full.body.value).toEqual([expect.objectContaining({ id: definitionId, buildNumberFormat: expect.any(String) })]);
      const brief = await get(`web/_apis/build/definitions?includeAllProperties=false`);
      expect(brief.body.value).toEqual([expect.not.objectContaining({ buildNumberFormat: expect.anything() })]);
      expect((await get('_apis/projects/web/teams?$expandIdentity=true')).status).toBe(400);
      expect((await get('_apis/projects/web/teams?$expandIdentity=False')).status).toBe(200);
      expect((await get(`web/_apis/build/definitions/${definitionId}?revision=1`)).body.revision).toBe(1);
    });
  });
}
