import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/domain/audit.js';
import type { User } from '../../src/domain/entities.js';
import { type ApiFixture, apiFixture } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { dayMs, movableClock } from '../support/clock.js';
import { basic } from '../support/listening.js';
import { accessTokenFor } from '../support/oauth.js';

type Lapis = Awaited<ReturnType<typeof testApp>>;

const start = '2026-06-01T12:00:00.000Z';
const host = 'lapis.test';
const origin = `http://${host}`;
const connectionData = '/contoso/_apis/connectionData';
const suppress = { 'x-tfs-fedauthredirect': 'Suppress' };

/**
 * What each refusal looks like on the wire, and what the authenticators tell a caller they admit: the details
 * `auth.test.ts` leaves out (content negotiation, which methods and headers skip the sign-in page, the throttle's
 * answer, the Bearer refusals, the expiry warning's words). One app on `inject`, each test from its own address so
 * the failure throttle of one never counts another's failures.
 */
for (const backend of backends()) {
  describe.skipIf(!backend.available)(`refusal answers and credential headers on ${backend.name}`, () => {
    const clock = movableClock(start);
    let lapis: Lapis;
    let fixture: ApiFixture;
    let bob: User;
    let pat: string;
    let address = 0;
    let clientAddress: string;

    beforeAll(async () => {
      lapis = await testApp(await backend.open(), {
        clock,
        env: { LAPIS_AUTH_FAILURE_LIMIT: '2', LAPIS_AUTH_FAILURE_WINDOW_SECONDS: '90', LAPIS_METRICS: 'on' },
      });
      fixture = await apiFixture(lapis);
      bob = await lapis.services.users.add({ username: 'bob' });
      await lapis.services.organizations.addMember('contoso', 'bob');
      await lapis.services.organizations.add('fabrikam', 'bob');
      pat = await fixture.pat('vso.project');
    });
    const nextAddress = () => {
      address += 1;
      clientAddress = `192.0.2.${address}`;
    };
    beforeEach(() => {
      clock.set(start);
      nextAddress();
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    function call(
      authorization: string | undefined,
      headers: Record<string, string> = {},
      options: { method?: string; path?: string } = {},
    ) {
      return lapis.app.inject({
        method: (options.method ?? 'GET') as 'GET',
        url: options.path ?? connectionData,
        remoteAddress: clientAddress,
        headers: { host, ...(authorization !== undefined && { authorization }), ...headers },
      });
    }

    const refusalsLogged = () =>
      lapis.logs
        .lines()
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.msg === 'access refused');

    it('names a malformed header InvalidRequest and says where to authenticate', async () => {
      const response = await call('Basic !!!notbase64!!!', suppress);
      expect(response.statusCode).toBe(401);
      expect(response.headers['x-vss-authenticateerror']).toBe('InvalidRequest');
      expect(response.headers['x-tfs-fedauthissuer']).toBe(`${origin}/`);
      expect(response.headers['x-vss-authorizationendpoint']).toBe(`${origin}/`);
      const message = response.json().message;
      expect(message).toContain(' ');
      expect(response.headers['x-tfs-serviceerror']).toBe(encodeURIComponent(message));
      expect(response.json().typeName).toBe(
        'Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server',
      );
    });

    it('skips the sign-in page for Suppress in any case and among other values, and only for that word', async () => {
      for (const value of ['suppress', 'SUPPRESS', 'Other, Suppress']) {
        expect((await call(undefined, { 'x-tfs-fedauthredirect': value })).statusCode).toBe(401);
      }
      const repeated = await lapis.app.inject({
        url: connectionData,
        remoteAddress: clientAddress,
        headers: { host, 'x-tfs-fedauthredirect': ['Other', 'Suppress'] },
      });
      expect(repeated.statusCode).toBe(401);
      expect((await call(undefined, { 'x-tfs-fedauthredirect': 'NoSuppressPlease' })).statusCode).toBe(203);
      expect((await call(undefined, { 'x-tfs-fedauthredirect': '' })).statusCode).toBe(203);
    });

    it('answers HEAD, OPTIONS and DELETE with 401, never the sign-in page', async () => {
      expect((await call(undefined, {}, { method: 'HEAD' })).statusCode).toBe(401);
      expect((await call(undefined, {}, { method: 'OPTIONS', path: '/contoso/_apis' })).statusCode).toBe(401);
      const build = '/contoso/web/_apis/build/builds/1?api-version=7.1';
      expect((await call(undefined, {}, { method: 'DELETE', path: build })).statusCode).toBe(401);
    });

    it('links the sign-in page back to the path without its query, escaping what the Host header brings', async () => {
      const plain = await call(undefined, {}, { path: `${connectionData}?api-version=7.1&x="1"` });
      expect(plain.statusCode).toBe(203);
      expect(plain.body).toContain(`<a href="${origin}/_signin?returnUrl=%2Fcontoso%2F_apis%2FconnectionData">`);
      const hostile = await call(undefined, { host: 'evil.test"&x' });
      expect(hostile.statusCode).toBe(203);
      expect(hostile.body).toContain('<a href="http://evil.test&quot;&amp;x/_signin?returnUrl=');
    });

    it('answers JSON to clients that accept it in any form, and the message as text to the others', async () => {
      for (const accept of ['application/json', 'APPLICATION/JSON', '*/*', 'application/*']) {
        const response = await call(undefined, { ...suppress, accept });
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(response.json().typeKey).toBe('UnauthorizedRequestException');
      }
      const text = await call(undefined, { ...suppress, accept: 'text/html' });
      expect(text.statusCode).toBe(401);
      expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(text.body).toBe('TF400813: Resource not available for anonymous access. Client authentication required.');
    });

    it('keeps a browser on 401 when signing in would not help: a missing scope, a credential of the wrong kind', async () => {
      const scope = await call(basic('', pat), {}, { path: '/contoso/web/_apis/build/builds?api-version=7.1' });
      expect(scope.statusCode).toBe(401);
      expect(scope.json()).toMatchObject({
        typeKey: 'AccessCheckException',
        typeName: 'Microsoft.VisualStudio.Services.Security.AccessCheckException, Microsoft.VisualStudio.Services.WebApi',
        customProperties: {
          Descriptor: null,
          IdentityDisplayName: null,
          Token: null,
          RequestedPermissions: 0,
          NamespaceId: '00000000-0000-0000-0000-000000000000',
          RequiredScopes: ['vso.build'],
          GrantedScopes: ['vso.project'],
        },
      });
      const wrongKind = await call(basic('', pat), {}, { path: '/_apis/profile/profiles/me?api-version=7.1' });
      expect(wrongKind.statusCode).toBe(401);
      expect(wrongKind.json().message).toMatch(/^This API accepts only .*; personal access tokens cannot be used here\.$/);
    });

    it('names the caller back only where it may act: not to another organization, a non-member or the wrong kind', async () => {
      const userData = `${fixture.alice.id}:alice`;
      const scope = await call(basic('', pat), suppress, { path: '/contoso/web/_apis/build/builds?api-version=7.1' });
      expect(scope.statusCode).toBe(401);
      expect(scope.headers['x-vss-userdata']).toBe(userData);
      const global = await fixture.pat('vso.project', null);
      for (const [credential, path, reason] of [
        [pat, '/fabrikam/_apis/connectionData', 'wrongOrganization'],
        [global, '/fabrikam/_apis/connectionData', 'notMember'],
        [pat, '/_apis/profile/profiles/me?api-version=7.1', 'credentialNotAccepted'],
      ] as const) {
        const refused = await call(basic('', credential), suppress, { path });
        expect(refused.statusCode).toBe(401);
        expect(refused.headers['x-vss-userdata']).toBeUndefined();
        expect(refusalsLogged().at(-1)).toMatchObject({ reason });
      }
    });

    it('answers an address past its failure limit with 429, the window as Retry-After, and logs the credential kind', async () => {
      const wrong = basic('', 'x'.repeat(52));
      expect((await call(wrong, suppress)).statusCode).toBe(401);
      expect((await call(wrong, suppress)).statusCode).toBe(401);
      const blocked = await call(wrong, suppress);
      expect(blocked.statusCode).toBe(429);
      expect(blocked.headers['retry-after']).toBe('90');
      const message = 'Too many failed authentication attempts from this address. Try again later.';
      expect(blocked.json()).toMatchObject({ typeKey: 'RequestBlockedException', message });
      expect(blocked.json()).not.toHaveProperty('customProperties');
      expect(blocked.headers['x-tfs-serviceerror']).toBe(encodeURIComponent(message));
      expect(refusalsLogged().at(-1)).toMatchObject({ reason: 'throttled', credential: 'pat' });
      const bearer = await call('Bearer not.a.jwt', suppress);
      expect(bearer.statusCode).toBe(429);
      expect(refusalsLogged().at(-1)).toMatchObject({ reason: 'throttled', credential: 'oauth' });
    });

    it('logs each PAT and Bearer refusal with its reason, its credential kind and, for a known token, its id', async () => {
      const logged = async (authorization: string) => {
        nextAddress();
        const response = await call(authorization, suppress);
        expect(response.statusCode).toBe(401);
        return { body: response.json(), headers: response.headers, log: refusalsLogged().at(-1) };
      };
      const unknown = await logged(basic('', 'x'.repeat(52)));
      expect(unknown.body.message).toBe(
        'TF400813: The user is not authorized to access this resource: the personal access token is not valid.',
      );
      expect(unknown.log).toMatchObject({ reason: 'invalid', credential: 'pat' });
      expect((await logged('Basic !!!notbase64!!!')).log).toMatchObject({ reason: 'malformed', credential: 'pat' });
      const malformedBearer = await logged('Bearer two words');
      expect(malformedBearer.headers['x-vss-authenticateerror']).toBe('InvalidRequest');
      expect(malformedBearer.log).toMatchObject({ reason: 'malformed', credential: 'oauth' });
      expect((await logged('Bearer not.a.jwt')).log).toMatchObject({ reason: 'invalid', credential: 'oauth' });

      const created = await lapis.services.tokens.create({
        user: fixture.alice,
        displayName: 'to revoke',
        scope: 'vso.project',
        organizationId: fixture.organization.id,
        days: 7,
      });
      await lapis.services.tokens.revoke(created.token);
      const revoked = await logged(basic('', created.text));
      expect(revoked.log).toMatchObject({ reason: 'revoked', credential: 'pat', authorizationId: created.token.id });
    });

    it('names the organization policy a token breaks in warn mode', async () => {
      const full = await fixture.pat('app_token');
      expect((await call(basic('', full), suppress)).headers['x-lapis-policy-warning']).toBeUndefined();
      await lapis.services.policies.set(fixture.organization, 'fullScope', { mode: 'warn' }, { actor: systemActor, via: 'cli' });
      const warned = await call(basic('', full), suppress);
      expect(warned.statusCode).toBe(200);
      expect(warned.headers['x-lapis-policy-warning']).toMatch(/contoso.*restricts full-access/);
      expect((await call(basic('', pat), suppress)).headers['x-lapis-policy-warning']).toBeUndefined();
    });

    it('serves anonymous locations without credentials, and counts each admission and refusal once in the metrics', async () => {
      const outcomes = async () => {
        const text = (await lapis.app.inject({ url: '/metrics' })).body;
        const count = (labels: string) =>
          Number(new RegExp(`^lapis_auth_outcomes_total\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
        return {
          anonymous: count('outcome="admitted",reason="ok",credential="none"'),
          pat: count('outcome="admitted",reason="ok",credential="pat"'),
          missing: count('outcome="refused",reason="missing",credential="none"'),
        };
      };
      const before = await outcomes();
      const areas = await call(undefined, suppress, { path: '/contoso/_apis/ResourceAreas' });
      expect(areas.statusCode).toBe(200);
      expect(areas.json()).toEqual({ count: 0, value: null });
      expect((await call(basic('', 'x'.repeat(52)), suppress, { path: '/contoso/_apis/ResourceAreas' })).statusCode).toBe(401);
      expect((await call(basic('', pat), suppress)).statusCode).toBe(200);
      expect((await call(undefined, suppress)).statusCode).toBe(401);
      const after = await outcomes();
      expect(after).toEqual({ anonymous: before.anonymous + 1, pat: before.pat + 1, missing: before.missing + 1 });
    });

    it('tells the usage trail of each PAT use, with its address and user agent, refused or not', async () => {
      const { text, token } = await lapis.services.tokens.create({
        user: fixture.alice,
        displayName: 'trail',
        scope: 'vso.project',
        organizationId: fixture.organization.id,
        days: 7,
      });
      await call(basic('', text), { ...suppress, 'user-agent': 'trail-agent' }, { path: '/contoso/web/_apis/build/builds' });
      await lapis.services.tokenUsage.flush();
      expect(await lapis.store.tokenUsage.listFor([token.id])).toEqual([
        expect.objectContaining({ clientAddress, userAgent: 'trail-agent' }),
      ]);
    });

    it('counts the session header without a signed-in cookie as no credential at all', async () => {
      const response = await call(undefined, { ...suppress, 'x-lapis-session': '1' });
      expect(response.statusCode).toBe(401);
      expect(response.headers['x-vss-authenticateerror']).toBe('Unauthorized');
    });

    it('counts each rate-limited token on its own', async () => {
      for (const displayName of ['first', 'second']) {
        const { text } = await lapis.services.tokens.create({
          user: fixture.alice,
          displayName,
          scope: 'vso.project',
          organizationId: fixture.organization.id,
          days: 7,
          restrictions: { rateLimit: '1/min' },
        });
        const response = await call(basic('', text), suppress);
        expect(response.statusCode).toBe(200);
        expect(response.headers['ratelimit-remaining']).toBe('0');
      }
    });

    it('reads the PAT from the user half when it has the shape of one, whatever the password half holds', async () => {
      const response = await call(basic(pat, 'anything'), suppress);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ authenticatedUser: { id: fixture.alice.id } });
    });

    it('warns of expiry in whole days, in the singular for one, and names the kind of credential', async () => {
      const far = await call(basic('', pat), suppress);
      expect(far.headers['x-lapis-token-expires-at']).toMatch(/^2026-07-01T/);
      expect(far.headers['x-lapis-token-expiry-warning']).toBeUndefined();
      const { text, token } = await lapis.services.tokens.create({
        user: fixture.alice,
        displayName: 'soon',
        scope: 'vso.project',
        organizationId: fixture.organization.id,
        days: 3,
      });
      const expiresAt = Date.parse(token.validTo);
      clock.set(new Date(expiresAt - 1.5 * dayMs).toISOString());
      const one = await call(basic('', text), suppress);
      expect(one.headers['x-lapis-token-expiry-warning']).toBe(
        `1 day left: this personal access token expires at ${token.validTo}`,
      );
      clock.set(new Date(expiresAt - 2.5 * dayMs).toISOString());
      expect((await call(basic('', text), suppress)).headers['x-lapis-token-expiry-warning']).toBe(
        `2 days left: this personal access token expires at ${token.validTo}`,
      );
      const bearer = await call(`Bearer ${await accessTokenFor(lapis, fixture.alice, 'vso.profile')}`, suppress);
      expect(bearer.statusCode).toBe(200);
      const bearerExpiry = String(bearer.headers['x-lapis-token-expires-at']);
      expect(bearer.headers['x-lapis-token-expiry-warning']).toBe(
        `0 days left: this OAuth access token expires at ${bearerExpiry}`,
      );
    });

    it('says why a Bearer token is refused: invalid, expired, revoked, or its user disabled', async () => {
      // Five refusals: each from an address of its own, below the failure limit.
      const refused = async (authorization: string) => {
        nextAddress();
        const response = await call(authorization, suppress);
        expect(response.statusCode).toBe(401);
        return response.json() as { typeKey: string; message: string };
      };
      expect((await refused('Bearer not.a.jwt')).message).toBe(
        'TF400813: The user is not authorized to access this resource: the access token is not valid.',
      );
      const aliceToken = `Bearer ${await accessTokenFor(lapis, fixture.alice, 'vso.profile')}`;
      clock.advance(2 * 3_600_000);
      expect(await refused(aliceToken)).toMatchObject({
        typeKey: 'AccessCheckException',
        message: 'Access Denied: The OAuth access token used has expired.',
      });
      expect(refusalsLogged().at(-1)).toMatchObject({ reason: 'expired', credential: 'oauth' });
      clock.set(start);
      const grants = await lapis.services.oauthGrants.listForUser(fixture.alice);
      for (const { grant } of grants) await lapis.services.oauthGrants.revoke(grant, { actor: systemActor, via: 'cli' });
      expect((await refused(aliceToken)).message).toBe(
        'Access Denied: The authorization behind the OAuth access token has been revoked.',
      );
      expect(refusalsLogged().at(-1)).toMatchObject({ reason: 'revoked', credential: 'oauth' });
      const bobToken = `Bearer ${await accessTokenFor(lapis, bob, 'vso.profile')}`;
      const bobPat = await lapis.services.tokens.create({
        user: bob,
        displayName: 'bob',
        scope: 'vso.profile',
        organizationId: fixture.organization.id,
        days: 7,
      });
      await lapis.services.users.disable('bob');
      expect((await refused(bobToken)).message).toBe("TF400813: The user 'bob' is disabled.");
      expect(refusalsLogged().at(-1)).toMatchObject({ reason: 'disabledUser', credential: 'oauth' });
      expect((await refused(basic('', bobPat.text))).message).toBe("TF400813: The user 'bob' is disabled.");
      expect(refusalsLogged().at(-1)).toMatchObject({
        reason: 'disabledUser',
        credential: 'pat',
        authorizationId: bobPat.token.id,
      });
    });

    describe('Azure DevOps Server with IIS Basic Authentication, behind a public URL', () => {
      const publicUrl = 'https://lapis.example.test';
      let iis: Lapis;
      beforeAll(async () => {
        iis = await testApp(await backend.open(), {
          clock,
          env: {
            LAPIS_IIS_BASIC_AUTH: 'true',
            LAPIS_PUBLIC_URL: publicUrl,
            LAPIS_AUTH_FAILURE_LIMIT: '2',
            LAPIS_AUTH_FAILURE_WINDOW_SECONDS: '90',
          },
        });
        await apiFixture(iis);
        await iis.services.users.setPassword('alice', 'alice-password-long');
      });
      afterAll(() => iis.app.close());

      const onIis = (authorization: string) =>
        iis.app.inject({
          method: 'GET',
          url: connectionData,
          remoteAddress: clientAddress,
          headers: { host, authorization, ...suppress },
        });
      const lastRefusal = () =>
        iis.logs
          .lines()
          .map((line) => JSON.parse(line))
          .filter((entry) => entry.msg === 'access refused')
          .at(-1);

      it('names a wrong password, a malformed header and the throttle as password refusals, in their own words', async () => {
        const wrong = await onIis(basic('alice', 'not her password'));
        expect(wrong.statusCode).toBe(401);
        expect(wrong.json().message).toBe('TF400813: The user name or password is incorrect.');
        expect(lastRefusal()).toMatchObject({ reason: 'invalid', credential: 'password' });
        const malformed = await onIis('Basic !!!notbase64!!!');
        expect(malformed.headers['x-vss-authenticateerror']).toBe('InvalidRequest');
        expect(lastRefusal()).toMatchObject({ reason: 'malformed', credential: 'password' });
        await onIis('Bearer two words');
        expect(lastRefusal()).toMatchObject({ reason: 'malformed', credential: 'oauth' });
        await onIis(basic('alice', 'not her password'));
        const throttled = await onIis(basic('alice', 'not her password'));
        expect(throttled.statusCode).toBe(429);
        expect(throttled.headers['retry-after']).toBe('90');
        expect(throttled.json().message).toBe('Too many failed sign-in attempts. Try again later.');
        expect(lastRefusal()).toMatchObject({ reason: 'throttled', credential: 'password' });
      });

      it('admits the right password with full access', async () => {
        const admitted = await iis.app.inject({
          method: 'GET',
          url: '/contoso/web/_apis/build/builds?api-version=7.1',
          remoteAddress: clientAddress,
          headers: { host, authorization: basic('alice', 'alice-password-long'), ...suppress },
        });
        expect(admitted.statusCode).toBe(200);
        expect(admitted.headers['x-lapis-token-expires-at']).toBeUndefined();
      });

      it('takes only Bearer tokens issued under the public URL', async () => {
        const alice = await iis.services.users.get('alice');
        const issued = await accessTokenFor(iis, alice, 'vso.profile');
        expect((await onIis(`Bearer ${issued}`)).statusCode).toBe(200);
        const [grant] = await iis.services.oauthGrants.listForUser(alice);
        const elsewhere = await iis.services.accessTokens.sign({
          issuer: 'http://elsewhere.test',
          userId: alice.id,
          appId: grant!.grant.appId,
          authorizationId: grant!.grant.id,
          scopes: ['vso.profile'],
        });
        expect((await onIis(`Bearer ${elsewhere.token}`)).statusCode).toBe(401);
      });
    });
  });
}
