import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, apiFixture, caller } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';

const [sqlite] = backends();

describe('API protocol: api-version, discovery, envelopes, headers', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let fixture: ApiFixture;
  let call: ReturnType<typeof caller>;
  let pat: string;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    fixture = await apiFixture(lapis);
    call = caller(lapis.app);
    pat = await fixture.pat('vso.build_execute vso.project_manage');
    await lapis.services.definitions.create(fixture.project, fixture.alice, { name: 'ci' });
  });
  afterAll(async () => {
    await lapis.app.close();
    await sqlite!.cleanup();
  });

  describe('api-version', () => {
    const builds = '/contoso/web/_apis/build/builds';

    it('defaults GET to the released version and echoes the served version in Content-Type', async () => {
      const response = await call('GET', builds, { pat });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8; api-version=7.1');
    });

    it('reads the query before the Accept header, and accepts -preview and res-version', async () => {
      const both = await call('GET', `${builds}?api-version=5.0`, {
        pat,
        headers: { accept: 'application/json;api-version=6.0' },
      });
      expect(both.headers['content-type']).toMatch(/api-version=5\.0$/);
      const accept = await call('GET', builds, { pat, headers: { accept: 'application/json;api-version=6.0-preview.3' } });
      expect(accept.headers['content-type']).toMatch(/api-version=6\.0-preview\.3$/);
      const clamped = await call('GET', `${builds}?api-version=7.1-preview.9`, { pat });
      expect(clamped.headers['content-type']).toMatch(/api-version=7\.1-preview\.7$/);
      const resVersion = await call('GET', builds, {
        pat,
        headers: { accept: 'application/json;api-version=7.0-preview;res-version=2' },
      });
      expect(resVersion.headers['content-type']).toMatch(/api-version=7\.0-preview\.2$/);
    });

    it('requires a version on writes', async () => {
      const response = await call('POST', builds, { pat, body: { definition: { id: 1 } } });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        typeKey: 'VssVersionNotSpecifiedException',
        typeName:
          'Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException, Microsoft.VisualStudio.Services.WebApi',
        message:
          'No api-version was supplied for the "POST" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. "?api-version=1.0").',
      });
    });

    it.each([
      [
        'seven',
        'VssInvalidApiResourceVersionException',
        /^Invalid api version string: "seven"\. Api version string must be in the format/,
      ],
      ['7.1-beta', 'VssInvalidApiResourceVersionException', /Invalid api version string/],
      [
        '8.0',
        'VssVersionOutOfRangeException',
        /^The requested REST API version of 8\.0 is out of range for this server\. The latest REST API version this server supports is 7\.2\.$/,
      ],
      [
        '1.0',
        'VssVersionOutOfRangeException',
        /^The request matched route \{project\}\/_apis\/\{area\}\/\{resource\}\/\{buildId\}, but the requested REST API version 1\.0 was outside/,
      ],
    ])('refuses api-version=%s with %s', async (version, typeKey, message) => {
      const response = await call('GET', `${builds}?api-version=${version}`, { pat });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ typeKey, $id: '1', innerException: null, errorCode: 0, eventId: 3000 });
      expect((response.json() as { message: string }).message).toMatch(message);
    });

    it('refuses a version above the released one without -preview', async () => {
      const registry = await import('../../../src/http/api/areas/index.js');
      const ahead = registry.apiLocations.find((l) => l.resourceName === 'ResourceAreas');
      expect(ahead?.releasedVersion).toBe('7.1');
      const { negotiateApiVersion, parseApiVersion, parseVersionRange } = await import('../../../src/http/api/api-version.js');
      const request = { query: { 'api-version': '7.1' }, headers: {} } as never;
      const range = parseVersionRange({
        routeTemplate: 't',
        minVersion: '1.0',
        maxVersion: '7.1',
        releasedVersion: '7.0',
        resourceVersion: 3,
      });
      const serverMax = parseApiVersion('7.1')!;
      expect(() => negotiateApiVersion(request, 'GET', range, serverMax)).toThrowError(
        'The requested version "7.1" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: "7.1-preview"',
      );
      const preview = { query: { 'api-version': '7.1-preview' }, headers: {} } as never;
      expect(negotiateApiVersion(preview, 'GET', range, serverMax)).toEqual({
        major: 7,
        minor: 1,
        preview: true,
        resourceVersion: 3,
      });
    });
  });

  describe('discovery', () => {
    it.each(['/contoso/_apis', '/contoso/_apis/', '/_apis'])(
      'OPTIONS %s lists locations generated from the registry',
      async (url) => {
        const response = await call('OPTIONS', url, { pat });
        expect(response.statusCode).toBe(200);
        const body = response.json() as { count: number; value: { id: string }[] };
        expect(body.count).toBe(body.value.length);
        expect(body.value.map((l) => l.id)).toContain('e81700f7-3be2-46de-8624-2eb35882fcaa');
        if (url.startsWith('/contoso')) expect(body.value.map((l) => l.id)).toContain('0cd358e1-9217-4d94-8269-1c1ee6f93dcf');
        else expect(body.value.map((l) => l.id)).not.toContain('0cd358e1-9217-4d94-8269-1c1ee6f93dcf');
      },
    );

    it('OPTIONS _apis/{area} is case-insensitive and _apis/{area}/{resource} adds Access-Control-Allow-Methods', async () => {
      const area = await call('OPTIONS', '/contoso/_apis/Build', { pat });
      const areaIds = (area.json() as { value: { id: string }[] }).value.map((l) => l.id);
      expect(areaIds).toEqual(
        expect.arrayContaining(['0cd358e1-9217-4d94-8269-1c1ee6f93dcf', 'dbeaf647-6167-421a-bda9-c9327b25e2e6']),
      );
      const location = await call('OPTIONS', '/contoso/_apis/location', { pat });
      expect((location.json() as { value: { resourceName: string }[] }).value.map((l) => l.resourceName).sort()).toEqual([
        'ResourceAreas',
        'connectionData',
      ]);
      const resource = await call('OPTIONS', '/contoso/_apis/build/builds', { pat });
      expect(resource.json()).toEqual({
        count: 1,
        value: [
          {
            id: '0cd358e1-9217-4d94-8269-1c1ee6f93dcf',
            area: 'build',
            resourceName: 'builds',
            routeTemplate: '{project}/_apis/{area}/{resource}/{buildId}',
            resourceVersion: 7,
            minVersion: '2.0',
            maxVersion: '7.2',
            releasedVersion: '7.1',
          },
        ],
      });
      expect(resource.headers['access-control-allow-methods']).toBe('OPTIONS,GET,POST,PATCH,DELETE');
    });

    it('needs a credential (any scope: vso.base), and answers 404 for an unknown organization', async () => {
      const anonymous = await call('OPTIONS', '/contoso/_apis/build');
      expect(anonymous.statusCode).toBe(401);
      const narrow = await call('OPTIONS', '/contoso/_apis/build', { pat: await fixture.pat('vso.profile') });
      expect(narrow.statusCode).toBe(200);
      const unknown = await call('OPTIONS', '/nowhere/_apis/build', { pat });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ typeKey: 'HostDoesNotExistException' });
    });

    it('GET _apis/ResourceAreas answers {count:0,value:null} even anonymously', async () => {
      for (const url of ['/contoso/_apis/ResourceAreas', '/_apis/resourceareas']) {
        const response = await call('GET', url);
        expect(response.statusCode).toBe(200);
        expect(response.json()).toEqual({ count: 0, value: null });
      }
    });

    it('GET _apis/connectionData describes the caller and the organization', async () => {
      const response = await call('GET', '/contoso/_apis/connectionData', { pat });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-vss-userdata']).toBe(`${fixture.alice.id}:alice`);
      expect(response.json()).toMatchObject({
        authenticatedUser: { id: fixture.alice.id, providerDisplayName: 'Alice Liddell' },
        authorizedUser: { id: fixture.alice.id },
        instanceId: fixture.organization.id,
        deploymentType: 'hosted',
        locationServiceData: { accessMappings: [{ accessPoint: 'http://localhost:80/contoso' }] },
      });
      expect((await call('GET', '/contoso/_apis/connectionData')).statusCode).toBe(203);
    });
  });

  describe('envelopes and headers', () => {
    it('answers unknown projects with VS800075, unknown builds and pipelines with their messages', async () => {
      const project = await call('GET', '/contoso/nowhere/_apis/build/builds', { pat });
      expect(project.statusCode).toBe(404);
      expect(project.json()).toMatchObject({
        message: expect.stringMatching(/^TF200016: The following project does not exist: nowhere\. /),
      });
      const build = await call('GET', '/contoso/web/_apis/build/builds/999', { pat });
      expect(build.statusCode).toBe(404);
      expect(build.json()).toMatchObject({
        typeKey: 'BuildNotFoundException',
        message: 'The requested build 999 could not be found.',
      });
      const queue = await call('POST', '/contoso/web/_apis/build/builds?api-version=7.1', {
        pat,
        body: { definition: { id: 42 } },
      });
      expect(queue.statusCode).toBe(404);
      expect(queue.json()).toMatchObject({ message: 'Build pipeline 42 was not found.' });
      const org = await call('GET', '/NoSuchOrg/_apis/projects', { pat });
      expect(org.statusCode).toBe(404);
      expect(org.json()).toMatchObject({ typeKey: 'HostDoesNotExistException' });
    });

    it('refuses malformed bodies and values with 400 envelopes, never 500', async () => {
      const url = '/contoso/web/_apis/build/builds?api-version=7.1';
      for (const body of [
        '{"definition":',
        '[1,2]',
        '{"definition":{"id":"x"}}',
        '{"definition":{"id":1},"reason":"sideways"}',
      ]) {
        const response = await call('POST', url, { pat, body });
        expect(response.statusCode, body).toBe(400);
        expect(response.json()).toMatchObject({ $id: '1', errorCode: 0 });
      }
      const bad = await call('GET', '/contoso/web/_apis/build/builds/abc', { pat });
      expect(bad.statusCode).toBe(400);
      const nul = await call('GET', '/contoso/web%00/_apis/build/builds', { pat });
      expect(nul.statusCode).toBe(400);
      expect(nul.json().message).toBe('The URL contains a NUL character.');
      const method = await call('PUT', '/contoso/web/_apis/build/builds/1?api-version=7.1', { pat, body: {} });
      expect(method.statusCode).toBe(405);
    });

    it('authenticates before judging a body, so a stranger learns nothing from a 400', async () => {
      const response = await call('POST', '/contoso/web/_apis/build/builds?api-version=7.1', {
        body: '{not json',
        headers: { 'x-tfs-fedauthredirect': 'Suppress' },
      });
      expect(response.statusCode).toBe(401);
    });

    it('honours X-HTTP-Method-Override on POST and is case-insensitive in paths', async () => {
      const queued = await call('POST', '/contoso/web/_apis/build/builds?api-version=7.1', {
        pat,
        body: { definition: { id: 1 } },
      });
      const id = (queued.json() as { id: number }).id;
      const patched = await call('POST', `/CONTOSO/Web/_APIS/Build/Builds/${id}?api-version=7.1`, {
        pat,
        body: { status: 'inProgress' },
        headers: { 'x-http-method-override': 'PATCH' },
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ id, status: 'inProgress' });
    });

    it('puts the Azure DevOps headers on every answer', async () => {
      const response = await call('GET', '/contoso/_apis/projects', { pat });
      expect(response.headers.activityid).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['x-tfs-session']).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['access-control-expose-headers']).toContain('X-MS-ContinuationToken');
      expect(response.headers['x-vss-userdata']).toBe(`${fixture.alice.id}:alice`);
      const refused = await call('GET', '/contoso/_apis/projects');
      expect(refused.headers.activityid).toBeDefined();
    });
  });
});
