import { getBearerHandler, getPersonalAccessTokenHandler, WebApi } from 'azure-devops-node-api';
import { ClientApiBase } from 'azure-devops-node-api/ClientApiBases.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, basic } from '../../support/api.js';
import type { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';
import { accessTokenFor } from '../../support/oauth.js';
import { tokenApiServer } from '../../support/token-api.js';

const patsLocationId = '2c1965e2-28da-4aa1-bc64-b8a58537ae9b';
const version = 'api-version=7.1-preview.1';

interface PatToken {
  authorizationId: string;
  displayName: string;
  scope: string;
  targetAccounts: string[] | null;
  validFrom: string;
  validTo: string;
  token: string | null;
}
interface PatTokenResult {
  patToken: PatToken | null;
  patTokenError: string;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`PAT lifecycle API on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let fixture: ApiFixture;
    let url: string;
    let bearer: string;

    beforeAll(async () => {
      ({ lapis, fixture, url, bearer } = await tokenApiServer(await backend.open()));
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    async function call(method: string, path: string, body?: unknown, authorization = `Bearer ${bearer}`) {
      const response = await fetch(`${url}/contoso/_apis/tokens/pats${path}`, {
        method,
        headers: {
          authorization,
          'x-tfs-fedauthredirect': 'Suppress',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    }
    const create = async (body: Record<string, unknown>) => (await call('POST', `?${version}`, body)).json as PatTokenResult;

    it('creates a token whose text works once, and never shows the text again', async () => {
      const validTo = inDays(10);
      const created = await create({ displayName: 'deploy', scope: 'vso.build', validTo, allOrgs: false });
      expect(created.patTokenError).toBe('none');
      expect(created.patToken).toMatchObject({
        displayName: 'deploy',
        scope: 'vso.build',
        targetAccounts: [fixture.organization.id],
        validTo,
        token: expect.stringMatching(/^[A-Za-z0-9]{84}$/),
      });
      const text = created.patToken?.token ?? '';
      const builds = await fetch(`${url}/contoso/web/_apis/build/builds?api-version=7.1`, { headers: basic(text) });
      expect(builds.status).toBe(200);
      const one = (await call('GET', `?authorizationId=${created.patToken?.authorizationId}&${version}`)).json as PatTokenResult;
      expect(one).toEqual({ patToken: { ...created.patToken, token: null }, patTokenError: 'none' });
      const global = await create({ displayName: 'everywhere', scope: 'vso.profile', allOrgs: true });
      expect(global.patToken?.targetAccounts).toBeNull();
      const stored = await lapis.services.tokens.get(created.patToken?.authorizationId ?? '');
      expect(JSON.stringify(stored)).not.toContain(text);
    });

    it('answers bad input in band with HTTP 200: name, scope, expiry, unknown and malformed ids', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ scope: 'vso.build' }, 'displayNameRequired'],
        [{ displayName: 'x'.repeat(300), scope: 'vso.build' }, 'invalidDisplayName'],
        [{ displayName: 'bad scope', scope: 'vso.nothing' }, 'invalidScope'],
        [{ displayName: 'no scope', scope: '' }, 'invalidScope'],
        [{ displayName: 'past', scope: 'vso.build', validTo: '2001-01-01T00:00:00Z' }, 'invalidValidTo'],
        [{ displayName: 'too long', scope: 'vso.build', validTo: inDays(4000) }, 'invalidValidTo'],
        [{ displayName: 'not a date', scope: 'vso.build', validTo: 'soon' }, 'invalidValidTo'],
      ];
      for (const [body, error] of cases) {
        const answer = await call('POST', `?${version}`, body);
        expect(answer.status, JSON.stringify(body)).toBe(200);
        expect(answer.json, JSON.stringify(body)).toEqual({ patToken: null, patTokenError: error });
      }
      const unknown = '3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32';
      expect((await call('GET', `?authorizationId=${unknown}&${version}`)).json.patTokenError).toBe('tokenNotFound');
      expect((await call('GET', `?authorizationId=nope&${version}`)).json.patTokenError).toBe('invalidAuthorizationId');
      expect((await call('PUT', `?${version}`, { authorizationId: unknown, displayName: 'x' })).json).toEqual({
        patToken: null,
        patTokenError: 'tokenNotFound',
      });
      expect((await call('PUT', `?${version}`, { displayName: 'x' })).json.patTokenError).toBe('invalidAuthorizationId');
      const bob = await lapis.services.users.add({ username: 'bob' });
      await lapis.services.organizations.addMember('contoso', 'bob');
      const bobs = await lapis.services.tokens.create({
        user: bob,
        displayName: 'bob',
        scope: 'vso.build',
        organizationId: fixture.organization.id,
      });
      // Another user's token is indistinguishable from a missing one.
      expect((await call('GET', `?authorizationId=${bobs.token.id}&${version}`)).json.patTokenError).toBe('tokenNotFound');
    });

    it('updates only the fields given, within the lifetime bounds, and refuses a revoked token in band', async () => {
      const created = await create({ displayName: 'ci', scope: 'vso.build vso.project', validTo: inDays(20) });
      const id = created.patToken?.authorizationId;
      const renamed = (await call('PUT', `?${version}`, { authorizationId: id, displayName: 'ci-renamed' })).json;
      expect(renamed).toEqual({
        patToken: { ...created.patToken, displayName: 'ci-renamed', token: null },
        patTokenError: 'none',
      });
      const narrowed = (await call('PUT', `?${version}`, { authorizationId: id, scope: 'vso.build', validTo: inDays(5) }))
        .json as PatTokenResult;
      expect(narrowed.patToken).toMatchObject({ displayName: 'ci-renamed', scope: 'vso.build' });
      const global = (await call('PUT', `?${version}`, { authorizationId: id, allOrgs: true })).json as PatTokenResult;
      expect(global.patToken?.targetAccounts).toBeNull();
      expect((await call('PUT', `?${version}`, { authorizationId: id, validTo: inDays(4000) })).json.patTokenError).toBe(
        'invalidValidTo',
      );
      expect((await call('PUT', `?${version}`, { authorizationId: id, scope: 'vso.bogus' })).json.patTokenError).toBe(
        'invalidScope',
      );
      expect((await call('PUT', `?${version}`, { authorizationId: id, displayName: ' ' })).json.patTokenError).toBe(
        'displayNameRequired',
      );
      expect((await call('DELETE', `?authorizationId=${id}&${version}`)).status).toBe(204);
      expect((await call('PUT', `?${version}`, { authorizationId: id, displayName: 'again' })).json.patTokenError).toBe(
        'invalidToken',
      );
    });

    it('revokes: the token stops working at once; unknown ids are a 404 envelope', async () => {
      const created = await create({ displayName: 'short-lived', scope: 'vso.build' });
      const text = created.patToken?.token ?? '';
      const builds = () => fetch(`${url}/contoso/web/_apis/build/builds?api-version=7.1`, { headers: basic(text) });
      expect((await builds()).status).toBe(200);
      expect((await call('DELETE', `?authorizationId=${created.patToken?.authorizationId}&${version}`)).status).toBe(204);
      expect((await builds()).status).toBe(401);
      const unknown = await call('DELETE', `?authorizationId=3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32&${version}`);
      expect(unknown.status).toBe(404);
      expect(unknown.json.typeKey).toBe('SessionTokenNotFoundException');
      expect((await call('DELETE', `?authorizationId=nope&${version}`)).status).toBe(400);
    });

    it('lists with filters, sorting and continuation tokens', async () => {
      const names = ['p-a', 'p-b', 'p-c', 'p-d', 'p-e'];
      for (const [index, displayName] of names.entries()) {
        await create({ displayName, scope: 'vso.build', validTo: inDays(30 - index) });
      }
      const seen: string[] = [];
      let continuationToken = '';
      let pages = 0;
      do {
        const query = new URLSearchParams({
          displayFilterOption: 'all',
          $top: '3',
          ...(continuationToken && { continuationToken }),
        });
        const page = (await call('GET', `?${query}&${version}`)).json as { continuationToken: string; patTokens: PatToken[] };
        expect(page.patTokens.length).toBeLessThanOrEqual(3);
        for (const token of page.patTokens) expect(token.token).toBeNull();
        seen.push(...page.patTokens.map((token) => token.displayName));
        continuationToken = page.continuationToken;
        pages++;
      } while (continuationToken !== '');
      expect(pages).toBeGreaterThan(1);
      expect(seen).toEqual([...seen].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
      expect(new Set(seen).size).toBe(seen.length);
      const firstToken = Buffer.from('3-patapitoken').toString('base64');
      expect((await call('GET', `?displayFilterOption=all&$top=3&${version}`)).json.continuationToken).toBe(firstToken);

      const active = (await call('GET', `?${version}&$top=100`)).json.patTokens as PatToken[];
      const revoked = (await call('GET', `?displayFilterOption=revoked&$top=100&${version}`)).json.patTokens as PatToken[];
      expect(revoked.length).toBeGreaterThan(0);
      expect(active.map((token) => token.authorizationId)).not.toContain(revoked[0]?.authorizationId);
      expect((await call('GET', `?displayFilterOption=expired&${version}`)).json.patTokens).toEqual([]);

      const byDate = (await call('GET', `?sortByOption=displayDate&isSortAscending=false&$top=100&${version}`)).json
        .patTokens as PatToken[];
      const dates = byDate.map((token) => Date.parse(token.validTo));
      expect(dates).toEqual([...dates].sort((a, b) => b - a));
      const byStatus = (await call('GET', `?displayFilterOption=all&sortByOption=status&$top=100&${version}`)).json
        .patTokens as PatToken[];
      expect(byStatus.at(-1)?.authorizationId).toBe(
        revoked.sort((a, b) => a.displayName.localeCompare(b.displayName)).at(-1)?.authorizationId,
      );

      for (const bad of [
        'displayFilterOption=some',
        'sortByOption=size',
        '$top=0',
        '$top=101',
        'continuationToken=abc',
        'isSortAscending=maybe',
      ]) {
        expect((await call('GET', `?${bad}&${version}`)).status, bad).toBe(400);
      }
    });

    it('refuses a PAT, even a full-access one, with a 401 that names the credentials accepted', async () => {
      const pat = await fixture.pat('app_token');
      const answer = await call('GET', `?${version}`, undefined, `Basic ${Buffer.from(`:${pat}`).toString('base64')}`);
      expect(answer.status).toBe(401);
      expect(answer.json.message).toMatch(/accepts only OAuth access tokens/);
      const posted = await call(
        'POST',
        `?${version}`,
        { displayName: 'x', scope: 'vso.build' },
        `Basic ${Buffer.from(`:${pat}`).toString('base64')}`,
      );
      expect(posted.status).toBe(401);
    });

    it('refuses an OAuth token whose grant lacks vso.tokens', async () => {
      const other = await accessTokenFor(lapis, fixture.alice, 'vso.build');
      const answer = await call('GET', `?${version}`, undefined, `Bearer ${other}`);
      expect(answer.status).toBe(401);
      expect(answer.json.message).toMatch(/vso\.tokens/);
    });

    it('is found by the official client through OPTIONS and driven by its generic REST call', async () => {
      const base = new ClientApiBase(`${url}/contoso`, [getBearerHandler(bearer)], 'lapis-test');
      const data = await base.vsoClient.getVersioningData('7.1-preview.1', 'Tokens', patsLocationId, {});
      expect(data.requestUrl).toBe(`${url}/contoso/_apis/Tokens/Pats`);
      const options = base.createRequestOptions('application/json', data.apiVersion);
      const created = await base.rest.create<PatTokenResult>(
        data.requestUrl ?? '',
        { displayName: 'from the client', scope: 'vso.build', allOrgs: false },
        options,
      );
      expect(created.statusCode).toBe(200);
      expect(created.result?.patTokenError).toBe('none');
      const listed = await base.rest.get<{ patTokens: PatToken[] }>(`${data.requestUrl}?$top=100`, options);
      expect(listed.result?.patTokens.map((token) => token.displayName)).toContain('from the client');
      // The PAT it minted works with the official client too.
      const withPat = new WebApi(`${url}/contoso`, getPersonalAccessTokenHandler(created.result?.patToken?.token ?? ''));
      expect(await (await withPat.getBuildApi()).getBuilds('web')).toEqual([]);
    });
  });
}
