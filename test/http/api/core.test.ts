import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, apiFixture, caller } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`core area (projects, operations) on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let fixture: ApiFixture;
    let call: ReturnType<typeof caller>;
    let pat: string;

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      fixture = await apiFixture(lapis);
      call = caller(lapis.app);
      pat = await fixture.pat('vso.project_manage vso.build_execute');
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    it('creates a project with capabilities and answers 202 with a finished operation', async () => {
      const created = await call('POST', '/contoso/_apis/projects?api-version=7.1', {
        pat,
        body: {
          name: 'Api Gateway',
          description: 'edge',
          visibility: 2,
          capabilities: {
            versioncontrol: { sourceControlType: 'Tfvc' },
            processTemplate: { templateTypeId: '6b724908-ef14-45cf-84f8-768b5384da45' },
          },
        },
      });
      expect(created.statusCode).toBe(202);
      const operation = created.json() as { id: string; status: string; url: string };
      expect(operation.status).toBe('succeeded');
      expect(operation.url).toBe(`http://localhost:80/contoso/_apis/operations/${operation.id}`);
      const polled = await call('GET', `/contoso/_apis/operations/${operation.id}`, { pat: await fixture.pat('vso.build') });
      expect(polled.json()).toMatchObject({ id: operation.id, status: 'succeeded' });
      const project = await call('GET', '/contoso/_apis/projects/api%20gateway?includeCapabilities=true', { pat });
      expect(project.json()).toMatchObject({
        name: 'Api Gateway',
        visibility: 'public',
        capabilities: {
          versioncontrol: { sourceControlType: 'Tfvc' },
          processTemplate: { templateName: 'Scrum', templateTypeId: '6b724908-ef14-45cf-84f8-768b5384da45' },
        },
      });
      const again = await call('POST', '/contoso/_apis/projects?api-version=7.1', { pat, body: { name: 'api gateway' } });
      expect(again.statusCode).toBe(409);
      const badProcess = await call('POST', '/contoso/_apis/projects?api-version=7.1', {
        pat,
        body: { name: 'x', capabilities: { processTemplate: { templateTypeId: 'nope' } } },
      });
      expect(badProcess.statusCode).toBe(400);
      expect((await call('GET', '/contoso/_apis/operations/00000000-0000-0000-0000-000000000000', { pat })).statusCode).toBe(404);
    });

    it('pages projects in name order with $top, $skip and the continuation token', async () => {
      for (const name of ['alpha', 'beta', 'gamma']) await lapis.services.projects.add(fixture.organization.id, { name });
      const first = await call('GET', '/contoso/_apis/projects?$top=2', { pat });
      expect((first.json() as { value: { name: string }[] }).value.map((p) => p.name)).toEqual(['alpha', 'Api Gateway']);
      const token = first.headers['x-ms-continuationtoken'];
      const second = await call('GET', `/contoso/_apis/projects?$top=2&continuationToken=${token}`, { pat });
      expect((second.json() as { value: { name: string }[] }).value.map((p) => p.name)).toEqual(['beta', 'gamma']);
      const skipped = await call('GET', '/contoso/_apis/projects?$skip=4', { pat });
      expect((skipped.json() as { value: { name: string }[] }).value.map((p) => p.name)).toEqual(['web']);
      expect((await call('GET', '/contoso/_apis/projects?stateFilter=deleting', { pat })).json()).toEqual({
        count: 0,
        value: [],
      });
      expect((await call('GET', '/contoso/_apis/projects?stateFilter=sideways', { pat })).statusCode).toBe(400);
    });

    it('renames and deletes projects; deleting removes their pipelines and builds', async () => {
      const renamed = await call('PATCH', '/contoso/_apis/projects/alpha?api-version=7.1', { pat, body: { name: 'omega' } });
      expect(renamed.statusCode).toBe(202);
      const omega = (await call('GET', '/contoso/_apis/projects/omega', { pat })).json() as { id: string; revision: number };
      expect(omega.revision).toBe(2);
      expect(
        (await call('PATCH', '/contoso/_apis/projects/omega?api-version=7.1', { pat, body: { name: 'beta' } })).statusCode,
      ).toBe(409);
      await call('POST', '/contoso/omega/_apis/build/definitions?api-version=7.1', { pat, body: { name: 'ci' } });
      const queued = await call('POST', `/contoso/${omega.id}/_apis/build/builds?api-version=7.1`, {
        pat,
        body: { definition: { id: 1 } },
      });
      expect(queued.statusCode).toBe(200);
      expect((await call('DELETE', '/contoso/_apis/projects/omega?api-version=7.1', { pat })).statusCode).toBe(202);
      expect((await call('GET', '/contoso/_apis/projects/omega', { pat })).statusCode).toBe(404);
      expect((await call('GET', '/contoso/_apis/build/builds', { pat })).json()).toEqual({ count: 0, value: [] });
    });
  });
}
