import type { AddressInfo } from 'node:net';
import { getPersonalAccessTokenHandler } from 'azure-devops-node-api';
import { ClientApiBase } from 'azure-devops-node-api/ClientApiBases.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../../src/domain/entities.js';
import { graphUsersPageSize } from '../../../src/http/api/areas/graph/users.js';
import { type ApiFixture, apiFixture, basic } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';

const version = 'api-version=7.1-preview.1';
const personalAccessTokensId = 'af68438b-ed04-4407-9eb6-f1dbae3f922e';
const revocationsId = 'a9c08b2c-5466-4e22-8626-1ff304ffdf0f';
const graphUsersId = '005e26ec-6b77-4e4f-a986-b3827bf241f5';

interface SessionToken {
  authorizationId: string;
  displayName: string;
  scope: string;
  isValid: boolean;
  isPublic: boolean;
  targetAccounts: string[] | null;
  token: string | null;
  userId: string;
}
interface GraphUser {
  descriptor: string;
  displayName: string;
  principalName: string;
  mailAddress: string;
  origin: string;
  originId: string;
  subjectKind: string;
  url: string;
  _links: Record<string, { href: string }>;
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`token admin and Graph users on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let fixture: ApiFixture;
    let url: string;
    let bob: User;
    let admin: string;

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      fixture = await apiFixture(lapis);
      bob = await lapis.services.users.add({ username: 'bob', displayName: 'Bob Builder', email: 'bob@example.test' });
      await lapis.services.organizations.addMember('contoso', 'bob');
      await lapis.services.users.add({ username: 'carol' });
      await lapis.services.organizations.add('fabrikam', 'carol');
      await lapis.services.organizations.addMember('fabrikam', 'bob');
      admin = await fixture.pat('vso.tokenadministration vso.graph');
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    async function call(pat: string, method: string, path: string, body?: unknown) {
      const response = await fetch(`${url}/contoso/_apis/${path}`, {
        method,
        headers: { ...basic(pat), ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
    }
    const bobsToken = (scope: string, organizationId: string | null = fixture.organization.id, displayName = scope) =>
      lapis.services.tokens.create({ user: bob, displayName, scope, organizationId, days: 30 });
    const builds = async (pat: string) =>
      (await fetch(`${url}/contoso/web/_apis/build/builds?api-version=7.1`, { headers: basic(pat) })).status;
    async function descriptorOf(pat: string, organization = 'contoso'): Promise<string> {
      const answer = await fetch(`${url}/${organization}/_apis/connectionData`, { headers: basic(pat) });
      return (await answer.json()).authenticatedUser.subjectDescriptor;
    }

    it('lists the members as GraphUsers whose descriptors are the ones connectionData reports', async () => {
      const bobsOwn = await bobsToken('vso.profile');
      const bobsDescriptor = await descriptorOf(bobsOwn.text);
      const listed = await call(admin, 'GET', `graph/users?${version}`);
      expect(listed.status).toBe(200);
      const users = listed.json.value as GraphUser[];
      expect(users.map((user) => user.principalName)).toEqual(['alice@example.test', 'bob@example.test']);
      const found = users.find((user) => user.descriptor === bobsDescriptor);
      expect(found).toMatchObject({
        displayName: 'Bob Builder',
        mailAddress: 'bob@example.test',
        origin: 'msa',
        originId: bob.id,
        subjectKind: 'user',
        url: `${url}/contoso/_apis/Graph/Users/${bobsDescriptor}`,
      });
      expect(listed.headers.get('x-ms-continuationtoken')).toBeNull();
      const one = await call(admin, 'GET', `graph/users/${bobsDescriptor}?${version}`);
      expect(one.json).toEqual(found);
      const avatar = await fetch(found?._links.avatar?.href ?? '', { headers: basic(admin) });
      expect(avatar.status).toBe(200);
      // carol is no member of contoso: her descriptor names nobody here.
      const carol = await lapis.services.users.get('carol');
      const carolsDescriptor = await descriptorOf(
        (await lapis.services.tokens.create({ user: carol, displayName: 'c', scope: 'vso.profile', organizationId: null })).text,
        'fabrikam',
      );
      expect(carolsDescriptor).toMatch(/^msa\./);
      expect((await call(admin, 'GET', `graph/users/${carolsDescriptor}?${version}`)).status).toBe(404);
      expect((await call(admin, 'GET', `graph/users?subjectTypes=aad,svc&${version}`)).json).toEqual({ count: 0, value: [] });
      expect((await call(admin, 'GET', `graph/users?subjectTypes=msa&${version}`)).json.count).toBe(2);
    });

    it('asks vso.graph for the users list', async () => {
      const unscoped = await fixture.pat('vso.build');
      const refused = await call(unscoped, 'GET', `graph/users?${version}`);
      expect(refused.status).toBe(401);
      expect(refused.json.message).toMatch(/vso\.graph/);
    });

    it('pages the users list with the X-MS-ContinuationToken header', async () => {
      const fabrikam = await lapis.services.organizations.get('fabrikam');
      const carol = await lapis.services.users.get('carol');
      for (let index = 0; index < graphUsersPageSize; index += 1) {
        const name = `member${String(index).padStart(3, '0')}`;
        await lapis.services.users.add({ username: name });
        await lapis.services.organizations.addMember('fabrikam', name);
      }
      const carols = await lapis.services.tokens.create({
        user: carol,
        displayName: 'graph',
        scope: 'vso.graph',
        organizationId: fabrikam.id,
      });
      const page = async (continuation?: string) => {
        const query = continuation ? `continuationToken=${encodeURIComponent(continuation)}&` : '';
        const response = await fetch(`${url}/fabrikam/_apis/graph/users?${query}${version}`, { headers: basic(carols.text) });
        return { continuation: response.headers.get('x-ms-continuationtoken'), body: await response.json() };
      };
      const first = await page();
      // bob, carol and the new members: one more than a page.
      expect(first.body.count).toBe(graphUsersPageSize);
      expect(first.continuation).toEqual(expect.any(String));
      const second = await page(first.continuation ?? '');
      expect(second.continuation).toBeNull();
      const names = [...first.body.value, ...second.body.value].map((user: GraphUser) => user.principalName);
      expect(names).toHaveLength(graphUsersPageSize + 2);
      expect(new Set(names).size).toBe(names.length);
      expect(names.slice(0, 2)).toEqual(['bob@example.test', 'carol']);
      const forged = await fetch(`${url}/fabrikam/_apis/graph/users?continuationToken=bm90LW91cnM=&${version}`, {
        headers: basic(carols.text),
      });
      expect(forged.status).toBe(400);
    });

    it("lists a member's tokens that work in the organization, paged, never their text", async () => {
      const descriptor = await descriptorOf((await bobsToken('vso.profile', null, 'whoami')).text);
      await bobsToken('vso.build', fixture.organization.id, 'contoso build');
      const fabrikam = await lapis.services.organizations.get('fabrikam');
      await bobsToken('vso.build', fabrikam.id, 'fabrikam build');
      const all: SessionToken[] = [];
      let continuation: string | null = null;
      let pages = 0;
      do {
        const query: string = continuation ? `continuationToken=${encodeURIComponent(continuation)}&` : '';
        const answer = await call(admin, 'GET', `tokenadmin/personalaccesstokens/${descriptor}?pageSize=2&${query}${version}`);
        expect(answer.status).toBe(200);
        expect(answer.json.value.length).toBeLessThanOrEqual(2);
        all.push(...answer.json.value);
        continuation = answer.json.continuationToken;
        pages += 1;
      } while (continuation);
      const expected = (await lapis.services.tokens.list(bob)).filter(
        (token) => token.organizationId === null || token.organizationId === fixture.organization.id,
      );
      expect(pages).toBe(Math.ceil(expected.length / 2));
      expect(all.map((token) => token.authorizationId)).toEqual(expected.map((token) => token.id));
      expect(all.map((token) => token.displayName)).not.toContain('fabrikam build');
      expect(all.find((token) => token.displayName === 'whoami')).toMatchObject({
        scope: 'vso.profile',
        isValid: true,
        isPublic: false,
        targetAccounts: null,
        token: null,
        userId: bob.id,
      });
      expect(all.find((token) => token.displayName === 'contoso build')?.targetAccounts).toEqual([fixture.organization.id]);
      const ssh = await call(admin, 'GET', `tokenadmin/personalaccesstokens/${descriptor}?isPublic=true&${version}`);
      expect(ssh.json).toEqual({ continuationToken: null, value: [] });
    });

    it('judges the descriptor, page size and continuation token', async () => {
      const path = 'tokenadmin/personalaccesstokens';
      expect((await call(admin, 'GET', `${path}/not-a-descriptor?${version}`)).status).toBe(400);
      expect((await call(admin, 'GET', `${path}?${version}`)).status).toBe(400);
      const carol = await lapis.services.users.get('carol');
      const outsider = `msa.${Buffer.from(carol.id).toString('base64url')}`;
      const missing = await call(admin, 'GET', `${path}/${outsider}?${version}`);
      expect(missing.status).toBe(404);
      expect(missing.json.typeKey).toBe('IdentityNotFoundException');
      const bobs = `msa.${Buffer.from(bob.id).toString('base64url')}`;
      expect((await call(admin, 'GET', `${path}/${bobs}?pageSize=0&${version}`)).status).toBe(400);
      expect((await call(admin, 'GET', `${path}/${bobs}?pageSize=101&${version}`)).status).toBe(400);
      expect((await call(admin, 'GET', `${path}/${bobs}?continuationToken=Zm9v&${version}`)).status).toBe(400);
    });

    it('is for organization admins holding vso.tokenadministration', async () => {
      const bobs = `msa.${Buffer.from(bob.id).toString('base64url')}`;
      const list = `tokenadmin/personalaccesstokens/${bobs}?${version}`;
      const revoke = `tokenadmin/revocations?${version}`;
      const victim = await bobsToken('vso.build', fixture.organization.id, 'victim');
      const bobsAdmin = (await bobsToken('vso.tokenadministration', fixture.organization.id, 'not an admin')).text;
      for (const [method, path, body] of [
        ['GET', list, undefined],
        ['POST', revoke, [{ authorizationId: victim.token.id }]],
      ] as const) {
        const notAdmin = await call(bobsAdmin, method, path, body);
        expect(notAdmin.status).toBe(403);
        expect(notAdmin.json.typeKey).toBe('AccessCheckException');
        const unscoped = await call(await fixture.pat('vso.build vso.graph'), method, path, body);
        expect(unscoped.status).toBe(401);
        expect(unscoped.json.message).toMatch(/vso\.tokenadministration/);
      }
      expect(await builds(victim.text)).toBe(200);
      // A server administrator who is a member but not the owner may.
      const root = await lapis.services.users.add({ username: 'root', isAdmin: true });
      await lapis.services.organizations.addMember('contoso', 'root');
      const roots = await lapis.services.tokens.create({
        user: root,
        displayName: 'server admin',
        scope: 'vso.tokenadministration',
        organizationId: fixture.organization.id,
      });
      expect((await call(roots.text, 'GET', list)).status).toBe(200);
    });

    it("revokes members' tokens by authorization id, passing over ids of no such token, and audits each", async () => {
      const first = await bobsToken('vso.build', fixture.organization.id, 'first');
      const second = await bobsToken('vso.build', null, 'second');
      const fabrikam = await lapis.services.organizations.get('fabrikam');
      const elsewhere = await bobsToken('vso.build', fabrikam.id, 'elsewhere');
      const keep = await bobsToken('vso.build', fixture.organization.id, 'keep');
      for (const pat of [first.text, second.text, keep.text]) expect(await builds(pat)).toBe(200);
      const unknown = '7b4ad4e5-44f3-4a43-a1a7-9c3d8f0f4b11';
      const answer = await call(admin, 'POST', `tokenadmin/revocations?${version}`, [
        { authorizationId: first.token.id },
        { authorizationId: second.token.id.toUpperCase() },
        { authorizationId: elsewhere.token.id },
        { authorizationId: unknown },
      ]);
      expect(answer.status).toBe(204);
      expect(await builds(first.text)).toBe(401);
      expect(await builds(second.text)).toBe(401);
      expect(await builds(keep.text)).toBe(200);
      expect((await lapis.services.tokens.get(elsewhere.token.id)).revokedAt).toBeNull();
      // Once more: already revoked, nothing to do, the same answer.
      expect((await call(admin, 'POST', `tokenadmin/revocations?${version}`, [{ authorizationId: first.token.id }])).status).toBe(
        204,
      );
      const entries = (await lapis.services.audit.page({ actions: ['token.revoked'] }, 50)).entries;
      const revokedHere = entries.filter((entry) =>
        [first.token.id, second.token.id].includes(String(entry.data.authorizationId)),
      );
      expect(revokedHere).toHaveLength(2);
      for (const entry of revokedHere) expect(entry).toMatchObject({ actorId: fixture.alice.id, via: 'api' });
      expect(entries.some((entry) => entry.data.authorizationId === elsewhere.token.id)).toBe(false);
    });

    it('refuses a revocation list without authorization ids', async () => {
      const path = `tokenadmin/revocations?${version}`;
      expect((await call(admin, 'POST', path, [])).status).toBe(400);
      // A token pasted into the wrong field is refused without being repeated.
      const pasted = 'a'.repeat(52);
      const refused = await call(admin, 'POST', path, [{ authorizationId: fixture.alice.id }, { authorizationId: pasted }]);
      expect(refused.status).toBe(400);
      expect(refused.json.message).toMatch(/item 1 is not a GUID/);
      expect(JSON.stringify(refused.json)).not.toContain(pasted);
      expect((await call(admin, 'POST', path, [{ id: 'x' }])).status).toBe(400);
      expect((await call(admin, 'POST', path, { authorizationId: fixture.alice.id })).status).toBe(400);
    });

    it('lists tokens a revocation rule stopped as not valid', async () => {
      const stopped = await bobsToken('vso.code', fixture.organization.id, 'stopped by rule');
      const rule = await call(admin, 'POST', `tokenadmin/revocationrules?${version}`, {
        scopes: 'vso.code',
        createdBefore: new Date(Date.now() + 1000).toISOString(),
      });
      expect(rule.status).toBe(201);
      const bobs = `msa.${Buffer.from(bob.id).toString('base64url')}`;
      const listed = await call(admin, 'GET', `tokenadmin/personalaccesstokens/${bobs}?pageSize=100&${version}`);
      const found = (listed.json.value as SessionToken[]).find((token) => token.authorizationId === stopped.token.id);
      expect(found?.isValid).toBe(false);
      expect(await builds(stopped.text)).toBe(401);
    });

    it('is found by the official client through OPTIONS and driven by its generic REST calls', async () => {
      const base = new ClientApiBase(`${url}/contoso`, [getPersonalAccessTokenHandler(admin)], 'lapis-test');
      const users = await base.vsoClient.getVersioningData('7.1-preview.1', 'Graph', graphUsersId, {});
      expect(users.requestUrl).toBe(`${url}/contoso/_apis/Graph/Users`);
      const options = base.createRequestOptions('application/json', users.apiVersion);
      const listed = await base.rest.get<{ value: GraphUser[] }>(users.requestUrl ?? '', options);
      const descriptor = listed.result?.value.find((user) => user.originId === bob.id)?.descriptor ?? '';
      expect(descriptor).toMatch(/^msa\./);

      const tokens = await base.vsoClient.getVersioningData('7.1-preview.1', 'TokenAdmin', personalAccessTokensId, {
        subjectDescriptor: descriptor,
      });
      expect(tokens.requestUrl).toBe(`${url}/contoso/_apis/TokenAdmin/PersonalAccessTokens/${descriptor}`);
      const target = await bobsToken('vso.build', fixture.organization.id, 'found by the client');
      const page = await base.rest.get<{ value: SessionToken[] }>(`${tokens.requestUrl}?pageSize=100`, options);
      expect(page.result?.value.map((token) => token.authorizationId)).toContain(target.token.id);

      const revocations = await base.vsoClient.getVersioningData('7.1-preview.1', 'TokenAdmin', revocationsId, {});
      expect(revocations.requestUrl).toBe(`${url}/contoso/_apis/TokenAdmin/Revocations`);
      const revoked = await base.rest.create(revocations.requestUrl ?? '', [{ authorizationId: target.token.id }], options);
      expect(revoked.statusCode).toBe(204);
      expect(await builds(target.text)).toBe(401);
    });
  });
}
