import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { curl } from '../support/curl.js';

const [sqlite] = backends();
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('curl against the core, location and profile areas of a listening Lapis', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let base: string;
  let auth: string[];

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    const fixture = await apiFixture(lapis);
    for (const name of ['alpha', 'beta']) await lapis.services.projects.add(fixture.organization.id, { name });
    auth = ['-u', `:${await fixture.pat('vso.project_manage vso.profile vso.build')}`];
    await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}/contoso`;
  });

  afterAll(async () => {
    await lapis.app.close();
    await sqlite!.cleanup();
  });

  it('sends ActivityId, X-VSS-E2EID, X-TFS-Session and X-TFS-ProcessId on answers, errors and unknown routes', async () => {
    const answers = [
      await curl([...auth, `${base}/_apis/projects`]),
      await curl([...auth, `${base}/_apis/projects/nowhere`]),
      await curl([`${base}/_apis/no/such/route`]),
      await curl([`http://${new URL(base).host}/not-a-route`]),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 404, 404, 404]);
    for (const { headers } of answers) {
      expect(headers.activityid).toMatch(guid);
      expect(headers['x-vss-e2eid']).toBe(headers.activityid);
      expect(headers['x-tfs-session']).toMatch(guid);
      expect(headers['x-tfs-processid']).toMatch(guid);
    }
    expect(new Set(answers.map(({ headers }) => headers['x-tfs-processid'])).size).toBe(1);
    const session = '6f9b1c1e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
    const echoed = await curl(['-H', `X-TFS-Session: ${session},command`, `${base}/_apis/unknown`]);
    expect(echoed.headers['x-tfs-session']).toBe(session);
  });

  it('pages projects by the integer continuation token and refuses a malformed one', async () => {
    const first = await curl([...auth, `${base}/_apis/projects?$top=2`]);
    expect(JSON.parse(first.body).value.map((p: { name: string }) => p.name)).toEqual(['alpha', 'beta']);
    expect(first.headers['x-ms-continuationtoken']).toBe('2');
    const second = await curl([...auth, `${base}/_apis/projects?$top=2&continuationToken=2`]);
    expect(JSON.parse(second.body).value.map((p: { name: string }) => p.name)).toEqual(['web']);
    expect(second.headers['x-ms-continuationtoken']).toBeUndefined();
    for (const token of ['d2Vi', '-1', '1.5']) {
      const refused = await curl([...auth, `${base}/_apis/projects?continuationToken=${token}`]);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body).message).toContain('continuation token');
    }
  });

  it('takes ProjectState as a number or a name in stateFilter', async () => {
    const names = async (filter: string) =>
      JSON.parse((await curl([...auth, `${base}/_apis/projects?stateFilter=${filter}`])).body).value.length as number;
    expect(await names('1')).toBe(3); // wellFormed
    expect(await names('wellformed')).toBe(3);
    expect(await names('-1')).toBe(3); // all
    expect(await names('2')).toBe(0); // deleting
    expect((await curl([...auth, `${base}/_apis/projects?stateFilter=9`])).status).toBe(400);
  });

  it('takes build status, result and reason filters as numbers', async () => {
    for (const query of ['statusFilter=2', 'resultFilter=2', 'reasonFilter=1', 'statusFilter=completed&resultFilter=succeeded']) {
      const answer = await curl([...auth, `${base}/web/_apis/build/builds?${query}`]);
      expect(answer.status, query).toBe(200);
    }
  });

  it('answers PATCH _apis/projects/{id} at api-version 1.0 with the project (200), later versions with an operation (202)', async () => {
    const patch = (version: string, description: string) =>
      curl([
        ...auth,
        '-X',
        'PATCH',
        '-H',
        'Content-Type: application/json',
        '-d',
        JSON.stringify({ description }),
        `${base}/_apis/projects/alpha?api-version=${version}`,
      ]);
    const old = await patch('1.0', 'first');
    expect(old.status).toBe(200);
    expect(JSON.parse(old.body)).toMatchObject({ name: 'alpha', description: 'first', defaultTeam: { name: 'alpha Team' } });
    const current = await patch('7.1', 'second');
    expect(current.status).toBe(202);
    expect(JSON.parse(current.body)).toMatchObject({ status: 'succeeded' });
  });

  it('words a missing project by name as TF200016, by id as VS800075, and a duplicate as TF200019', async () => {
    const byName = await curl([...auth, `${base}/_apis/projects/nowhere`]);
    expect(byName.status).toBe(404);
    expect(JSON.parse(byName.body).message).toBe(
      'TF200016: The following project does not exist: nowhere. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.',
    );
    const id = '00000000-0000-0000-0000-000000000001';
    expect(JSON.parse((await curl([...auth, `${base}/_apis/projects/${id}`])).body).message).toMatch(/^VS800075: /);
    const duplicate = await curl([
      ...auth,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"name":"WEB"}',
      `${base}/_apis/projects?api-version=7.1`,
    ]);
    expect(duplicate.status).toBe(409);
    expect(JSON.parse(duplicate.body)).toMatchObject({
      typeKey: 'ProjectAlreadyExistsException',
      message:
        'TF200019: The following project already exists on the Azure DevOps Server: WEB. You cannot create a new project with the same name as an existing project.',
    });
  });

  it('serves 7.2-preview where Azure DevOps does, and asks for -preview on 7.2', async () => {
    const preview = await curl([...auth, `${base}/_apis/projects?api-version=7.2-preview.4`]);
    expect(preview.status).toBe(200);
    expect(preview.headers['content-type']).toContain('api-version=7.2-preview.4');
    const released = await curl([...auth, `${base}/_apis/projects?api-version=7.2`]);
    expect(released.status).toBe(400);
    expect(JSON.parse(released.body).typeKey).toBe('VssInvalidPreviewVersionException');
  });

  it('honours the Accept options: bare arrays, numeric enums, \\/Date(ms)\\/ dates, no urls', async () => {
    const accept =
      'Accept: application/json;api-version=7.2-preview.4;excludeUrls=true;enumsAsNumbers=true;msDateFormat=true;noArrayWrap=true';
    const answer = await curl([...auth, '-H', accept, `${base}/_apis/projects`]);
    const projects = JSON.parse(answer.body) as { name: string; state: number; visibility: number; url?: string }[];
    expect(projects.map((p) => [p.name, p.state, p.visibility, p.url])).toEqual([
      ['alpha', 1, 0, undefined],
      ['beta', 1, 0, undefined],
      ['web', 1, 0, undefined],
    ]);
    expect(answer.body).toMatch(/"lastUpdateTime":"\\\/Date\(\d+\)\\\/"/);
    const plain = JSON.parse((await curl([...auth, `${base}/_apis/projects`])).body);
    expect(plain.value[0]).toMatchObject({
      state: 'wellFormed',
      visibility: 'private',
      url: expect.stringContaining('/_apis/projects/'),
    });
  });

  it('adds serviceDefinitions to connectionData with connectOptions=IncludeServices', async () => {
    const answer = JSON.parse((await curl([...auth, `${base}/_apis/connectionData?connectOptions=IncludeServices`])).body);
    expect(answer.webApplicationRelativeDirectory).toBe('/contoso/');
    expect(Date.parse(answer.lastUserAccess)).not.toBeNaN();
    const identifiers = answer.locationServiceData.serviceDefinitions.map((d: { identifier: string }) => d.identifier);
    expect(identifiers).toEqual(
      expect.arrayContaining(['603fe2ac-9723-48b9-88ad-09305aa6c6e1', 'd30a3dd1-f8ba-442a-b86a-bd0c0c383e59']),
    );
    const plain = JSON.parse((await curl([...auth, `${base}/_apis/connectionData`])).body);
    expect(plain.locationServiceData.serviceDefinitions).toBeUndefined();
    expect((await curl([...auth, `${base}/_apis/connectionData?connectOptions=Sideways`])).status).toBe(400);
  });

  it('refuses a PAT on the OAuth-only profile with the JSON 401, not the 203 sign-in page, even without Suppress', async () => {
    const answer = await curl([...auth, `${base}/_apis/profile/profiles/me?api-version=7.1`]);
    expect(answer.status).toBe(401);
    expect(answer.headers['content-type']).toContain('application/json');
    expect(JSON.parse(answer.body)).toMatchObject({
      typeKey: 'UnauthorizedRequestException',
      message: expect.stringContaining('OAuth'),
    });
  });

  it('refuses getDefaultTeamImageUrl and $expandIdentity instead of ignoring them', async () => {
    expect((await curl([...auth, `${base}/_apis/projects?getDefaultTeamImageUrl=true`])).status).toBe(400);
    expect((await curl([...auth, `${base}/_apis/projects?getDefaultTeamImageUrl=false`])).status).toBe(200);
    expect((await curl([...auth, `${base}/_apis/teams?$expandIdentity=true`])).status).toBe(400);
  });

  it('emits only API links that resolve (projects, teams, processes, collections, operations)', async () => {
    const links = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) {
          if ((key === 'url' || key === 'href') && typeof item === 'string' && item.includes('/_apis/')) links.add(item);
          else collect(item);
        }
      }
    };
    collect(JSON.parse((await curl([...auth, '-X', 'DELETE', `${base}/_apis/projects/beta?api-version=7.1`])).body));
    const project = JSON.parse((await curl([...auth, `${base}/_apis/projects/web?includeCapabilities=true`])).body);
    collect(project);
    for (const path of [
      '_apis/projects',
      `_apis/projects/${project.id}/teams`,
      '_apis/teams',
      '_apis/process/processes',
      '_apis/projectCollections',
    ]) {
      collect(JSON.parse((await curl([...auth, `${base}/${path}`])).body));
    }
    expect(links.size).toBeGreaterThanOrEqual(10);
    for (const link of links) expect((await curl([...auth, link])).status, link).toBe(200);
  });
});
