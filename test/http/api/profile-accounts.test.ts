import type { AddressInfo } from 'node:net';
import { getBearerHandler, getPersonalAccessTokenHandler, WebApi } from 'azure-devops-node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, apiFixture } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';
import { authorizeCode, callback, registerTestApp } from '../../support/oauth.js';

const [sqlite] = backends();
type Lapis = Awaited<ReturnType<typeof testApp>>;

describe('profile and accounts: OAuth only, as the document says', () => {
  let lapis: Lapis;
  let fixture: ApiFixture;
  let accessToken: string;
  let url: string;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    fixture = await apiFixture(lapis);
    await lapis.services.users.add({ username: 'bob' });
    await lapis.services.organizations.add('fabrikam', 'bob');
    const { app, secret } = await registerTestApp(lapis.services, fixture.alice, 'vso.build vso.profile');
    const code = await authorizeCode(lapis.services, fixture.alice, { clientId: app.id });
    const response = await lapis.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: secret,
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: code,
        redirect_uri: callback,
      }).toString(),
    });
    expect(response.statusCode).toBe(200);
    accessToken = response.json().access_token;
    await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await lapis.app.close();
    await sqlite!.cleanup();
  });

  const bearer = { authorization: '', 'x-tfs-fedauthredirect': 'Suppress' };
  const get = (path: string, headers: Record<string, string>) => lapis.app.inject({ method: 'GET', url: path, headers });
  const withBearer = () => ({ ...bearer, authorization: `Bearer ${accessToken}` });

  it('serves the caller’s profile at the root and under the organization, with details and core attributes', async () => {
    for (const path of ['/_apis/profile/profiles/me', '/contoso/_apis/Profile/Profiles/me']) {
      const response = await get(`${path}?details=true&coreAttributes=Email,DisplayName&api-version=7.1`, withBearer());
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        id: fixture.alice.id,
        displayName: 'Alice Liddell',
        publicAlias: fixture.alice.id,
        emailAddress: 'alice@example.test',
        coreAttributes: {
          Email: { descriptor: { attributeName: 'Email', containerName: 'Core' }, value: 'alice@example.test' },
          DisplayName: { value: 'Alice Liddell' },
        },
      });
    }
    const plain = await get('/_apis/profile/profiles/me', withBearer());
    expect(plain.json()).not.toHaveProperty('displayName');
    expect((await get(`/_apis/profile/profiles/${fixture.alice.id}`, withBearer())).statusCode).toBe(200);
  });

  it('hides other profiles and refuses unknown attributes', async () => {
    expect((await get('/_apis/profile/profiles/00000000-0000-0000-0000-000000000001', withBearer())).statusCode).toBe(404);
    const bad = await get('/_apis/profile/profiles/me?coreAttributes=Password', withBearer());
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/coreAttributes may name/);
  });

  it('lists the caller’s accounts by member or owner id, and nobody else’s', async () => {
    const members = await get(`/_apis/accounts?memberId=${fixture.alice.id}&api-version=7.1`, withBearer());
    expect(members.statusCode).toBe(200);
    expect(members.json()).toMatchObject({
      count: 1,
      value: [
        {
          accountId: fixture.organization.id,
          accountName: 'contoso',
          accountUri: expect.stringMatching(/\/contoso\/$/),
          accountStatus: 'enabled',
        },
      ],
    });
    expect((await get(`/_apis/accounts?ownerId=${fixture.alice.id}`, withBearer())).json().count).toBe(1);
    const bobs = await lapis.services.users.get('bob');
    expect((await get(`/_apis/accounts?memberId=${bobs.id}`, withBearer())).json()).toEqual({ count: 0, value: [] });
    expect((await get('/_apis/accounts', withBearer())).statusCode).toBe(400);
    expect((await get('/_apis/accounts?memberId=nope', withBearer())).statusCode).toBe(400);
  });

  it('refuses personal access tokens through the official client too', async () => {
    const pat = await fixture.pat('vso.profile', null);
    const client = new WebApi(url, getPersonalAccessTokenHandler(pat));
    await expect((await client.getProfileApi()).getProfile('me')).rejects.toMatchObject({ statusCode: 401 });
  });

  it('works with the official client’s getBearerHandler: profile and builds', async () => {
    const client = new WebApi(`${url}/contoso`, getBearerHandler(accessToken));
    const profile = await (await client.getProfileApi()).getProfile('me', true);
    expect(profile).toMatchObject({ id: fixture.alice.id, displayName: 'Alice Liddell', emailAddress: 'alice@example.test' });
    const buildApi = await client.getBuildApi();
    const definition = await lapis.services.definitions.create(fixture.project, fixture.alice, { name: 'ci' });
    await lapis.services.builds.queue(fixture.project, fixture.alice, { definitionId: definition.id });
    const builds = await buildApi.getBuilds('web');
    expect(builds.length).toBe(1);
    expect(builds[0]?.definition?.id).toBe(definition.id);
    expect(builds[0]?.requestedFor?.id).toBe(fixture.alice.id);
  });
});
