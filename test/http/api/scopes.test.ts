import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, apiFixture, caller } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';

const [sqlite] = backends();

// Every operation's declared scope, credential kinds, 401 without credentials and membership are walked by
// conformance.test.ts; this file keeps what the registry cannot show: how the scope hierarchy meets the routes.
describe('scope enforcement per route', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let fixture: ApiFixture;
  let call: ReturnType<typeof caller>;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    fixture = await apiFixture(lapis);
    call = caller(lapis.app);
    await lapis.services.definitions.create(fixture.project, fixture.alice, { name: 'ci' });
  });
  afterAll(async () => {
    await lapis.app.close();
    await sqlite!.cleanup();
  });

  const queue = (pat?: string) =>
    call('POST', '/contoso/web/_apis/build/builds?api-version=7.1', { ...(pat && { pat }), body: { definition: { id: 1 } } });

  it('vso.build reads builds and pipelines but cannot queue; the refusal names the scope', async () => {
    const pat = await fixture.pat('vso.build');
    expect((await call('GET', '/contoso/web/_apis/build/builds', { pat })).statusCode).toBe(200);
    expect((await call('GET', '/contoso/web/_apis/build/definitions', { pat })).statusCode).toBe(200);
    expect((await call('GET', '/contoso/_apis/build/builds', { pat })).statusCode).toBe(200);
    const refused = await queue(pat);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['x-vss-authenticateerror']).toBe('InvalidToken');
    expect(refused.json()).toMatchObject({
      typeKey: 'AccessCheckException',
      message:
        'Access Denied: this personal access token lacks the scope vso.build_execute (Build (read and execute)) required for POST build/builds; it grants vso.build.',
    });
    const create = await call('POST', '/contoso/web/_apis/build/definitions?api-version=7.1', { pat, body: { name: 'x' } });
    expect(create.statusCode).toBe(401);
  });

  it('vso.build_execute queues, updates and deletes', async () => {
    const pat = await fixture.pat('vso.build_execute');
    const queued = await queue(pat);
    expect(queued.statusCode).toBe(200);
    const id = (queued.json() as { id: number }).id;
    const patched = await call('PATCH', `/contoso/web/_apis/build/builds/${id}?api-version=7.1`, {
      pat,
      body: { status: 'cancelling' },
    });
    expect(patched.statusCode).toBe(200);
    expect((await call('DELETE', `/contoso/web/_apis/build/builds/${id}?api-version=7.1`, { pat })).statusCode).toBe(204);
    // vso.build inherits vso.profile (through the hooks scopes), which may list projects.
    expect((await call('GET', '/contoso/_apis/projects', { pat })).statusCode).toBe(200);
    expect((await call('POST', '/contoso/_apis/projects?api-version=7.1', { pat, body: { name: 'x' } })).statusCode).toBe(401);
  });

  it('vso.project lists projects but cannot create, change or delete them', async () => {
    const pat = await fixture.pat('vso.project');
    expect((await call('GET', '/contoso/_apis/projects', { pat })).statusCode).toBe(200);
    expect((await call('GET', '/contoso/_apis/projects/web', { pat })).statusCode).toBe(200);
    const create = await call('POST', '/contoso/_apis/projects?api-version=7.1', { pat, body: { name: 'api' } });
    expect(create.statusCode).toBe(401);
    expect((create.json() as { message: string }).message).toContain(
      'vso.project_manage (Project and team (read, write and manage))',
    );
    expect((await call('PATCH', '/contoso/_apis/projects/web?api-version=7.1', { pat, body: {} })).statusCode).toBe(401);
    expect((await call('GET', '/contoso/web/_apis/build/builds', { pat })).statusCode).toBe(401);
    const profile = await call('GET', '/contoso/_apis/projects', { pat: await fixture.pat('vso.profile') });
    expect(profile.statusCode).toBe(200);
  });

  it('vso.project_write changes projects, vso.project_manage creates and deletes them', async () => {
    const manage = await fixture.pat('vso.project_manage');
    const created = await call('POST', '/contoso/_apis/projects?api-version=7.1', { pat: manage, body: { name: 'api' } });
    expect(created.statusCode).toBe(202);
    const write = await fixture.pat('vso.project_write');
    const renamed = await call('PATCH', '/contoso/_apis/projects/api?api-version=7.1', {
      pat: write,
      body: { description: 'd' },
    });
    expect(renamed.statusCode).toBe(202);
    expect((await call('DELETE', '/contoso/_apis/projects/api?api-version=7.1', { pat: write })).statusCode).toBe(401);
    expect((await call('DELETE', '/contoso/_apis/projects/api?api-version=7.1', { pat: manage })).statusCode).toBe(202);
  });
});
