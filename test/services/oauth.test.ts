import { createHash } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/compose.js';
import { systemActor } from '../../src/domain/audit.js';
import type { OAuthApp } from '../../src/domain/oauth.js';
import { MembershipCache } from '../../src/services/membership-cache.js';
import type { AuthorizeParams } from '../../src/services/oauth-authorization.js';
import { OAuthTokenVerifier } from '../../src/services/oauth-token-verifier.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { testConfig } from '../support/app.js';
import { backends, openSecondConnection } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { authorizeCode, callback, pkcePair, refusal, registerPublicTestApp, registerTestApp } from '../support/oauth.js';
import { seedWorld, type World } from '../support/world.js';

const secret = 'ef'.repeat(32);
const issuer = 'http://lapis.test';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`OAuth services on ${backend.name}`, () => {
    let store: KyselyStore;
    let world: World;
    let app: OAuthApp;
    let clientSecret: string;
    let keysFile: string;
    const clock = movableClock();
    beforeEach(async () => {
      clock.set('2026-06-01T12:00:00.000Z');
      store = await backend.open();
      keysFile = `${testConfig().dataDir}/oauth-keys.json`;
      world = await seedWorld(store, clock, { LAPIS_TOKEN_SECRET: secret, LAPIS_OAUTH_KEYS_FILE: keysFile });
      ({ app, secret: clientSecret } = await registerTestApp(world.services, world.alice));
    });
    afterAll(() => backend.cleanup());

    describe('app registration', () => {
      it('stores only a keyed hash of the secret, and a rotated secret replaces the old one at once', async () => {
        expect(app.secretHash).toBe(world.services.hasher.hash(clientSecret));
        expect(JSON.stringify(await store.oauthApps.findById(app.id))).not.toContain(clientSecret);
        expect(world.services.oauthApps.secretMatches(app, clientSecret)).toBe(true);
        const rotated = await world.services.oauthApps.rotateSecret(app);
        const stored = await world.services.oauthApps.get(app.id);
        expect(world.services.oauthApps.secretMatches(stored, clientSecret)).toBe(false);
        expect(world.services.oauthApps.secretMatches(stored, rotated.secret)).toBe(true);
      });

      it.each([
        ['plain http on a public host', ['http://example.test/cb'], 'vso.build', /https/],
        ['a fragment', ['https://example.test/cb#x'], 'vso.build', /fragment/],
        ['credentials in the URL', ['https://u:p@example.test/cb'], 'vso.build', /credentials/],
        ['a relative URL', ['/cb'], 'vso.build', /absolute/],
        ['no callback', [], 'vso.build', /at least one/],
        ['an unknown scope', ['https://example.test/cb'], 'vso.build vso.nonsense', /Unknown scope: vso.nonsense/],
      ])('refuses %s', async (_case, callbackUrls, scope, message) => {
        await expect(world.services.oauthApps.register({ owner: world.alice, name: 'x', callbackUrls, scope })).rejects.toThrow(
          message,
        );
      });

      it('trims and de-duplicates callback URLs, and fills the optional details with empty text', async () => {
        const { app: registered } = await world.services.oauthApps.register({
          owner: world.alice,
          name: 'Tidy',
          callbackUrls: [' https://tidy.example.test/cb ', 'https://tidy.example.test/cb'],
          scope: 'vso.build',
        });
        expect(registered).toMatchObject({
          callbackUrls: ['https://tidy.example.test/cb'],
          company: '',
          website: '',
          description: '',
          isPublic: false,
        });
        const { app: edited } = await world.services.oauthApps.edit(registered, {
          callbackUrls: ['https://new.example.test/cb ', ' https://new.example.test/cb'],
        });
        expect(edited.callbackUrls).toEqual(['https://new.example.test/cb']);
        expect(edited.scopes).toEqual(['vso.build']);
        expect((await world.services.oauthApps.get(registered.id)).callbackUrls).toEqual(['https://new.example.test/cb']);
        await expect(world.services.oauthApps.edit(registered, { callbackUrls: [] })).rejects.toThrow(
          /at least one callback URL/,
        );
      });

      it('refuses a disabled owner, and finds no app for text that is not an App ID', async () => {
        const disabled = await world.services.users.disable('bob');
        await expect(
          world.services.oauthApps.register({ owner: disabled, name: 'x', callbackUrls: [callback], scope: 'vso.build' }),
        ).rejects.toThrow('User "bob" is disabled.');
        expect(await world.services.oauthApps.find(app.id.toUpperCase())).toMatchObject({ id: app.id });
        expect(await world.services.oauthApps.find(`${app.id}x`)).toBeUndefined();
        await expect(world.services.oauthApps.get('nope')).rejects.toThrow('No OAuth application has the App ID "nope".');
      });

      it('names what is wrong with an app in the refusal: code, field and bound', async () => {
        const { oauthApps } = world.services;
        const base = { owner: world.alice, name: 'Fine', callbackUrls: [callback], scope: 'vso.build' };
        const disabled = await world.services.users.disable('bob');
        await expect(oauthApps.register({ ...base, owner: disabled })).rejects.toMatchObject({ code: 'userDisabled' });
        await expect(oauthApps.register({ ...base, callbackUrls: [] })).rejects.toMatchObject({ code: 'invalidInput' });
        await expect(oauthApps.edit(app, { callbackUrls: [] })).rejects.toMatchObject({ code: 'invalidInput' });
        await expect(oauthApps.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'appNotFound' });
        const publicApp = await oauthApps.registerPublic(base);
        await expect(oauthApps.rotateSecret(publicApp)).rejects.toMatchObject({
          code: 'invalidInput',
          message: 'A public client has no client secret to rotate.',
        });
        const refusals: [Partial<typeof base> & { company?: string; description?: string }, string][] = [
          [{ name: '  ' }, 'App name must not be empty.'],
          [{ name: 'n'.repeat(101) }, 'App name must be at most 100 printable characters.'],
          [{ name: 'two\nlines' }, 'App name must be at most 100 printable characters.'],
          [{ company: 'c'.repeat(101) }, 'Company name must be at most 100 printable characters.'],
          [{ description: 'd'.repeat(1001) }, 'Description must be at most 1000 printable characters.'],
        ];
        for (const [change, message] of refusals) {
          await expect(oauthApps.register({ ...base, ...change })).rejects.toMatchObject({ code: 'invalidInput', message });
        }
        const { app: roomy } = await oauthApps.register({
          ...base,
          name: 'n'.repeat(100),
          company: 'c'.repeat(100),
          website: '  https://roomy.example.test/  ',
          description: `${'d'.repeat(500)}\n${'d'.repeat(499)}`,
        });
        expect(roomy).toMatchObject({ website: 'https://roomy.example.test/', company: 'c'.repeat(100) });
        expect(roomy.description).toContain('\n');
      });

      it('returns the app with its new secret on rotation, and lists apps by owner or all of them', async () => {
        const { oauthApps, hasher } = world.services;
        const rotated = await oauthApps.rotateSecret(app);
        expect(rotated.app).toMatchObject({ id: app.id, name: app.name, secretHash: hasher.hash(rotated.secret) });
        expect(rotated.app.secretCreatedAt).toBe(clock.now().toISOString());
        const { app: bobs } = await registerTestApp(world.services, world.bob);
        expect((await oauthApps.list(world.bob)).map((each) => each.id)).toEqual([bobs.id]);
        expect((await oauthApps.list()).map((each) => each.id).sort()).toEqual([app.id, bobs.id].sort());
      });

      it('accepts http on loopback hosts', async () => {
        const { app: local } = await world.services.oauthApps.register({
          owner: world.bob,
          name: 'CLI',
          callbackUrls: ['http://localhost:8000/cb', 'http://[::1]:9/cb', 'http://127.0.0.1/cb'],
          scope: 'vso.profile',
        });
        expect(local.callbackUrls).toHaveLength(3);
        expect((await world.services.oauthApps.list(world.bob)).map((a) => a.id)).toEqual([local.id]);
      });
    });

    describe('authorize step', () => {
      it('describes the app and the requested scopes in words', async () => {
        const validation = await world.services.oauth.validateAuthorizeRequest({
          clientId: app.id,
          redirectUri: callback,
          responseType: 'Assertion',
          scope: 'vso.build vso.profile',
          state: 's1',
        });
        expect(validation).toMatchObject({
          ok: true,
          app: { id: app.id, name: 'Build Dashboard', company: 'Example Ltd' },
          scopes: [
            { id: 'vso.build', title: 'Build (read)' },
            { id: 'vso.profile', title: 'User profile (read)' },
          ],
        });
      });

      it('never redirects for an unknown client or a redirect_uri that is not registered exactly', async () => {
        for (const params of [
          { clientId: '00000000-0000-0000-0000-000000000000', redirectUri: callback },
          { clientId: 'not-a-guid', redirectUri: callback },
          { clientId: app.id, redirectUri: `${callback}/` },
          { clientId: app.id, redirectUri: 'https://evil.example/callback' },
          { clientId: app.id },
        ]) {
          const validation = await world.services.oauth.validateAuthorizeRequest({ responseType: 'code', ...params });
          expect(validation).toMatchObject({ ok: false, redirect: false, error: 'invalid_request' });
        }
      });

      it.each<[string, AuthorizeParams, string, string]>([
        [
          'a scope the app is not registered for',
          { scope: 'vso.build vso.code vso.work' },
          'invalid_scope',
          'The app is not registered for: vso.code, vso.work.',
        ],
        ['an unknown scope', { scope: 'vso.whatever' }, 'invalid_scope', 'Unknown scope: vso.whatever.'],
        [
          'another response_type',
          { responseType: 'token' },
          'unsupported_response_type',
          'The response_type must be Assertion or code.',
        ],
        [
          'no response_type',
          { responseType: undefined },
          'unsupported_response_type',
          'The response_type must be Assertion or code.',
        ],
        [
          'the plain PKCE method',
          { codeChallenge: 'a'.repeat(43), codeChallengeMethod: 'plain' },
          'invalid_request',
          'The code_challenge_method must be S256.',
        ],
        [
          'a PKCE challenge without a method',
          { codeChallenge: 'a'.repeat(43) },
          'invalid_request',
          'The code_challenge_method must be S256.',
        ],
        [
          'a PKCE method without a challenge',
          { codeChallengeMethod: 'S256' },
          'invalid_request',
          'A code_challenge_method needs a code_challenge.',
        ],
        ...['short', 'a'.repeat(44), `${'a'.repeat(42)}+`, ` ${'a'.repeat(42)}`, `${'a'.repeat(42)}\n`].map(
          (codeChallenge) =>
            [
              `the malformed S256 challenge ${JSON.stringify(codeChallenge)}`,
              { codeChallenge, codeChallengeMethod: 'S256' },
              'invalid_request',
              'The code_challenge must be 43 base64url characters (an S256 digest).',
            ] as [string, AuthorizeParams, string, string],
        ),
        [
          'a state over 2000 characters',
          { state: 's'.repeat(2001) },
          'invalid_request',
          'The state must be at most 2000 characters.',
        ],
      ])('sends the user back with an error for %s', async (_case, params, error, description) => {
        const validation = await world.services.oauth.validateAuthorizeRequest({
          clientId: app.id,
          redirectUri: callback,
          responseType: 'Assertion',
          state: 'xyz',
          ...params,
        });
        expect(validation).toMatchObject({ ok: false, redirect: true, error, description });
        if (validation.ok || !validation.redirect) throw new Error('expected a redirect');
        const url = new URL(validation.redirectTo);
        expect(`${url.origin}${url.pathname}`).toBe(callback);
        expect(url.searchParams.get('error')).toBe(error);
        expect(url.searchParams.get('error_description')).toBe(description);
        expect(url.searchParams.get('state')).toBe(params.state ?? 'xyz');
      });

      it('names why it cannot redirect, and leaves out a state the client did not send', async () => {
        expect(await world.services.oauth.validateAuthorizeRequest({ redirectUri: callback, responseType: 'code' })).toEqual({
          ok: false,
          redirect: false,
          error: 'invalid_request',
          description: 'The client_id is missing or unknown.',
        });
        expect(await world.services.oauth.validateAuthorizeRequest({ clientId: app.id, responseType: 'code' })).toMatchObject({
          description: 'The redirect_uri is missing or is not a callback URL registered for this app.',
        });
        const refused = await world.services.oauth.validateAuthorizeRequest({
          clientId: app.id,
          redirectUri: callback,
          responseType: 'token',
        });
        if (refused.ok || !refused.redirect) throw new Error('expected a redirect');
        expect([...new URL(refused.redirectTo).searchParams.keys()]).toEqual(['error', 'error_description']);
      });

      it('takes response_type assertion in any case, a blank scope as every scope of the app, and a state of 2000 characters', async () => {
        const validation = await world.services.oauth.validateAuthorizeRequest({
          clientId: app.id,
          redirectUri: callback,
          responseType: 'assertion',
          scope: '   ',
          state: 's'.repeat(2000),
        });
        if (!validation.ok) throw new Error(validation.description);
        expect(validation.request).toMatchObject({ responseType: 'Assertion', scopes: app.scopes, codeChallenge: undefined });
        expect(validation.scopes[0]).toEqual({ id: 'vso.build', title: 'Build (read)', area: 'Build', highPrivilege: false });
      });

      it('requires PKCE of a public client, and keeps the challenge with the code', async () => {
        const publicApp = await registerPublicTestApp(world.services, world.alice);
        const without = await world.services.oauth.validateAuthorizeRequest({
          clientId: publicApp.id,
          redirectUri: callback,
          responseType: 'code',
        });
        expect(without).toMatchObject({
          ok: false,
          description: 'This app is a public client: a code_challenge (PKCE, S256) is required.',
        });
        const { challenge } = pkcePair();
        const validation = await world.services.oauth.validateAuthorizeRequest({
          clientId: publicApp.id,
          redirectUri: callback,
          responseType: 'code',
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
        });
        if (!validation.ok) throw new Error(validation.description);
        expect(validation.request.codeChallenge).toBe(challenge);
        const approved = await world.services.oauth.approve(world.alice, validation.request);
        const code = new URL(approved.redirectTo).searchParams.get('code') ?? '';
        expect(await store.oauthGrants.findCode(world.services.hasher.hash(code))).toMatchObject({ codeChallenge: challenge });
      });

      it('records the consent as the user on the page, refuses a disabled user, and forgets codes a day past expiry', async () => {
        const validation = await world.services.oauth.validateAuthorizeRequest({
          clientId: app.id,
          redirectUri: callback,
          responseType: 'code',
        });
        if (!validation.ok) throw new Error(validation.description);
        const first = await world.services.oauth.approve(world.alice, validation.request);
        const firstCode = new URL(first.redirectTo).searchParams.get('code') ?? '';
        expect(new URL(first.redirectTo).searchParams.has('state')).toBe(false);
        expect(first.grant).toMatchObject({ appId: app.id, userId: world.alice.id, scopes: app.scopes, revokedAt: null });
        const { entries } = await world.services.audit.page({ actions: ['oauth.granted'] }, 10);
        expect(entries).toEqual([
          expect.objectContaining({
            actorId: world.alice.id,
            actorName: 'alice',
            via: 'page',
            data: expect.objectContaining({ appName: 'Build Dashboard' }),
          }),
        ]);
        // Five minutes of life and a day of retention: a day later the first code is still known, a moment after it is not.
        clock.advance(86_400_000 + 300_000);
        await world.services.oauth.approve(world.alice, validation.request);
        expect(await store.oauthGrants.findCode(world.services.hasher.hash(firstCode))).toBeDefined();
        clock.advance(1);
        await world.services.oauth.approve(world.alice, validation.request);
        expect(await store.oauthGrants.findCode(world.services.hasher.hash(firstCode))).toBeUndefined();
        const disabled = await world.services.users.disable('bob');
        await expect(world.services.oauth.approve(disabled, validation.request)).rejects.toThrow('User "bob" is disabled.');
      });

      it('redirects with a code and the state on approval, and with access_denied on denial', async () => {
        const validation = await world.services.oauth.validateAuthorizeRequest({
          clientId: app.id,
          redirectUri: 'http://127.0.0.1:7777/cb',
          responseType: 'code',
          state: 'a b&c',
        });
        if (!validation.ok) throw new Error(validation.description);
        expect(validation.request.scopes).toEqual(app.scopes);
        const approved = await world.services.oauth.approve(world.alice, validation.request);
        const url = new URL(approved.redirectTo);
        expect(url.searchParams.get('state')).toBe('a b&c');
        const code = url.searchParams.get('code') ?? '';
        expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(await store.oauthGrants.findCode(code)).toBeUndefined();
        expect(await store.oauthGrants.findCode(world.services.hasher.hash(code))).toMatchObject({
          grantId: approved.grant.id,
          expiresAt: '2026-06-01T12:05:00.000Z',
        });
        const denied = new URL(world.services.oauth.deny(validation.request).redirectTo);
        expect(denied.searchParams.get('error')).toBe('access_denied');
        expect(denied.searchParams.get('state')).toBe('a b&c');
        expect(denied.searchParams.has('code')).toBe(false);
      });
    });

    describe('token exchange', () => {
      const exchange = (code: string, overrides: Record<string, unknown> = {}) =>
        world.services.oauthTokens.exchangeCode({
          client: { secret: clientSecret },
          code,
          redirectUri: callback,
          issuer,
          ...overrides,
        });

      it('exchanges a code once, rotates refresh tokens, and a replayed refresh token ends the grant', async () => {
        const code = await authorizeCode(world.services, world.alice, { clientId: app.id, scope: 'vso.build' });
        const first = await exchange(code);
        expect(first).toMatchObject({ expiresIn: 3600, scopes: ['vso.build'] });
        const second = await world.services.oauthTokens.refresh({
          client: { secret: clientSecret },
          refreshToken: first.refreshToken,
          issuer,
        });
        expect(second.refreshToken).not.toBe(first.refreshToken);
        const third = await world.services.oauthTokens.refresh({
          client: { clientId: app.id, secret: clientSecret },
          refreshToken: second.refreshToken,
          issuer,
        });
        expect(
          (
            await refusal(
              world.services.oauthTokens.refresh({ client: { secret: clientSecret }, refreshToken: first.refreshToken, issuer }),
            )
          ).code,
        ).toBe('invalid_grant');
        expect((await store.oauthGrants.findById(first.authorizationId))?.revokedAt).not.toBeNull();
        expect(
          (
            await refusal(
              world.services.oauthTokens.refresh({ client: { secret: clientSecret }, refreshToken: third.refreshToken, issuer }),
            )
          ).description,
        ).toMatch(/revoked/);
      });

      it('revokes the grant when a code is exchanged twice', async () => {
        const code = await authorizeCode(world.services, world.alice, { clientId: app.id });
        const issued = await exchange(code);
        expect(await refusal(exchange(code))).toMatchObject({
          code: 'invalid_grant',
          description: expect.stringMatching(/already used/),
        });
        expect(
          (
            await refusal(
              world.services.oauthTokens.refresh({ client: { secret: clientSecret }, refreshToken: issued.refreshToken, issuer }),
            )
          ).code,
        ).toBe('invalid_grant');
      });

      it('refuses an expired code without touching the grant', async () => {
        const code = await authorizeCode(world.services, world.alice, { clientId: app.id });
        const grantsBefore = await world.services.oauthGrants.listForUser(world.alice);
        expect(grantsBefore.filter(({ grant }) => grant.revokedAt === null).length).toBeGreaterThan(0);
        clock.advance(300_000);
        expect(await refusal(exchange(code))).toMatchObject({
          code: 'invalid_grant',
          description: expect.stringMatching(/expired/),
        });
        expect(await world.services.oauthGrants.listForUser(world.alice)).toEqual(grantsBefore);
      });

      it('requires the right secret, the same redirect_uri and the right client', async () => {
        const code = await authorizeCode(world.services, world.alice, { clientId: app.id });
        expect((await refusal(exchange(code, { client: { secret: 'wrong' } }))).code).toBe('invalid_client');
        expect((await refusal(exchange(code, { client: {} }))).code).toBe('invalid_client');
        expect((await refusal(exchange(code, { client: { clientId: app.id } }))).code).toBe('invalid_client');
        expect((await refusal(exchange(code, { redirectUri: 'http://127.0.0.1:7777/cb' }))).code).toBe('invalid_grant');
        const { app: other, secret: otherSecret } = await registerTestApp(world.services, world.bob);
        expect((await refusal(exchange(code, { client: { clientId: other.id, secret: otherSecret } }))).code).toBe(
          'invalid_grant',
        );
        expect((await exchange(code)).scopes).toEqual(app.scopes);
      });

      it('lets a public client exchange and refresh with PKCE instead of a secret, and never with one', async () => {
        const publicApp = await registerPublicTestApp(world.services, world.alice);
        expect(publicApp.isPublic).toBe(true);
        const withoutPkce = await world.services.oauth.validateAuthorizeRequest({
          clientId: publicApp.id,
          redirectUri: callback,
          responseType: 'code',
        });
        expect(withoutPkce).toMatchObject({ ok: false, error: 'invalid_request' });
        const { verifier, challenge } = pkcePair();
        const code = await authorizeCode(world.services, world.alice, {
          clientId: publicApp.id,
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
        });
        const publicClient = { client: { clientId: publicApp.id } };
        expect((await refusal(exchange(code, publicClient))).description).toMatch(/code_verifier is required/);
        expect((await refusal(exchange(code, { ...publicClient, codeVerifier: pkcePair().verifier }))).description).toMatch(
          /does not match/,
        );
        expect(
          (await refusal(exchange(code, { client: { clientId: publicApp.id, secret: 'anything' }, codeVerifier: verifier })))
            .code,
        ).toBe('invalid_client');
        const issued = await exchange(code, { ...publicClient, codeVerifier: verifier });
        const refreshed = await world.services.oauthTokens.refresh({
          client: { clientId: publicApp.id },
          refreshToken: issued.refreshToken,
          issuer,
        });
        expect(refreshed.authorizationId).toBe(issued.authorizationId);
        await expect(world.services.oauthApps.rotateSecret(publicApp)).rejects.toThrow(/public client/);
      });

      it('requires a confidential app to authenticate even when it uses PKCE', async () => {
        const { verifier, challenge } = pkcePair();
        const code = await authorizeCode(world.services, world.alice, {
          clientId: app.id,
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
        });
        expect((await refusal(exchange(code, { client: { clientId: app.id }, codeVerifier: verifier }))).code).toBe(
          'invalid_client',
        );
        const issued = await exchange(code, { client: { clientId: app.id, secret: clientSecret }, codeVerifier: verifier });
        expect(
          (
            await refusal(
              world.services.oauthTokens.refresh({ client: { clientId: app.id }, refreshToken: issued.refreshToken, issuer }),
            )
          ).code,
        ).toBe('invalid_client');
      });

      it('refuses an unknown refresh token with invalid_grant, touching no grant', async () => {
        const issued = await exchange(await authorizeCode(world.services, world.alice, { clientId: app.id }));
        for (const refreshToken of [
          'not-a-token',
          `${issued.refreshToken.slice(0, -1)}${issued.refreshToken.endsWith('A') ? 'B' : 'A'}`,
        ]) {
          expect(
            await refusal(world.services.oauthTokens.refresh({ client: { secret: clientSecret }, refreshToken, issuer })),
          ).toEqual({ code: 'invalid_grant', description: 'The refresh token is not valid.' });
        }
        expect((await store.oauthGrants.findById(issued.authorizationId))?.revokedAt).toBeNull();
      });

      it('takes the client id in any case, as a GUID', async () => {
        const code = await authorizeCode(world.services, world.alice, { clientId: app.id });
        const issued = await exchange(code, { client: { clientId: app.id.toUpperCase(), secret: clientSecret } });
        expect(issued.authorizationId).toBe((await store.oauthGrants.findCode(world.services.hasher.hash(code)))?.grantId);
      });

      it('refuses a code_verifier for a code issued without a challenge', async () => {
        const code = await authorizeCode(world.services, world.alice, { clientId: app.id });
        expect(await refusal(exchange(code, { codeVerifier: pkcePair().verifier }))).toEqual({
          code: 'invalid_grant',
          description: 'The code was issued without a code_challenge.',
        });
        expect((await exchange(code)).scopes).toEqual(app.scopes);
      });

      it('takes a code_verifier of 43 to 128 unreserved characters only (RFC 7636), even when its digest matches', async () => {
        const withVerifier = async (verifier: string) => {
          const challenge = createHash('sha256').update(verifier).digest('base64url');
          const code = await authorizeCode(world.services, world.alice, {
            clientId: app.id,
            codeChallenge: challenge,
            codeChallengeMethod: 'S256',
          });
          return exchange(code, { codeVerifier: verifier });
        };
        for (const verifier of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}+`, `${'a'.repeat(42)} `]) {
          expect((await refusal(withVerifier(verifier))).description).toBe(
            'The code_verifier does not match the code_challenge.',
          );
        }
        for (const verifier of ['a'.repeat(43), `${'b'.repeat(124)}._~-`]) {
          expect((await withVerifier(verifier)).scopes).toEqual(app.scopes);
        }
      });

      it('keeps a refresh token for its lifetime and not a millisecond more, and rotates it to a fresh lifetime', async () => {
        const lifetimeMs = testConfig().oauthRefreshTokenLifetimeDays * 86_400_000;
        const issued = await exchange(await authorizeCode(world.services, world.alice, { clientId: app.id }));
        const refresh = (refreshToken: string) =>
          world.services.oauthTokens.refresh({ client: { secret: clientSecret }, refreshToken, issuer });
        clock.advance(lifetimeMs - 1);
        const rotated = await refresh(issued.refreshToken);
        clock.advance(lifetimeMs);
        expect(await refusal(refresh(rotated.refreshToken))).toEqual({
          code: 'invalid_grant',
          description: 'The refresh token has expired.',
        });
      });

      it('narrows the scopes of a refreshed access token, never widens them', async () => {
        const code = await authorizeCode(world.services, world.alice, { clientId: app.id, scope: 'vso.build vso.profile' });
        const issued = await exchange(code);
        const refresh = (refreshToken: string, scope: string) =>
          world.services.oauthTokens.refresh({ client: { secret: clientSecret }, refreshToken, issuer, scope });
        expect(await refusal(refresh(issued.refreshToken, 'vso.build vso.project'))).toMatchObject({ code: 'invalid_scope' });
        expect(await refusal(refresh(issued.refreshToken, 'vso.bogus'))).toMatchObject({ code: 'invalid_scope' });
        const narrowed = await refresh(issued.refreshToken, 'vso.profile');
        expect(narrowed.scopes).toEqual(['vso.profile']);
        // A blank scope asks for nothing narrower: the whole grant.
        expect((await refresh(narrowed.refreshToken, '  ')).scopes).toEqual(['vso.build', 'vso.profile']);
      });

      it('refuses codes of a disabled user and of a removed app', async () => {
        const code = await authorizeCode(world.services, world.bob, { clientId: app.id });
        await world.services.users.disable('bob');
        expect((await refusal(exchange(code))).description).toMatch(/disabled/);
        const aliceCode = await authorizeCode(world.services, world.alice, { clientId: app.id });
        await world.services.oauthApps.remove(app);
        expect((await refusal(exchange(aliceCode))).code).toBe('invalid_grant');
      });
    });

    describe('Bearer verification', () => {
      let verifier: OAuthTokenVerifier;
      beforeEach(() => {
        verifier = new OAuthTokenVerifier(
          world.services.context,
          world.services.accessTokens,
          new MembershipCache(world.services.context, 500),
          {
            cacheMs: 500,
          },
        );
      });

      const issue = async (scope = 'vso.build', to = { app, secret: clientSecret }) => {
        const code = await authorizeCode(world.services, world.alice, { clientId: to.app.id, scope });
        return world.services.oauthTokens.exchangeCode({ client: { secret: to.secret }, code, redirectUri: callback, issuer });
      };
      const status = async (accessToken: string) => (await verifier.verify(accessToken, issuer)).status;

      it('accepts a token until its grant is revoked, its user disabled or its app removed', async () => {
        const issued = await issue();
        expect(await verifier.verify(issued.accessToken, issuer)).toMatchObject({
          status: 'active',
          claims: { scopes: ['vso.build'], authorizationId: issued.authorizationId, userId: world.alice.id },
        });
        expect((await verifier.verify(issued.accessToken, 'http://other.test')).status).toBe('invalid');
        await world.services.oauthGrants.revoke(await world.services.oauthGrants.getOwned(world.alice, issued.authorizationId), {
          actor: systemActor,
          via: 'cli',
        });
        expect((await verifier.verify(issued.accessToken, issuer)).status).toBe('revoked');

        const second = await issue();
        expect((await verifier.verify(second.accessToken, issuer)).status).toBe('active');
        await world.services.oauthApps.remove(app);
        expect((await verifier.verify(second.accessToken, issuer)).status).toBe('revoked');
      });

      it('refuses tokens of a disabled user and expired tokens', async () => {
        const issued = await issue();
        clock.advance(3_599_000);
        expect((await verifier.verify(issued.accessToken, issuer)).status).toBe('active');
        clock.advance(1000);
        expect((await verifier.verify(issued.accessToken, issuer)).status).toBe('expired');
        const fresh = await issue();
        await world.services.users.disable('alice');
        expect((await verifier.verify(fresh.accessToken, issuer)).status).toBe('disabledUser');
      });

      it('does not let one user revoke or see another user’s grant', async () => {
        const issued = await issue();
        await expect(world.services.oauthGrants.getOwned(world.bob, issued.authorizationId)).rejects.toMatchObject({
          code: 'grantNotFound',
          message: expect.stringMatching(/No OAuth authorization/),
        });
        expect((await world.services.oauthGrants.listForUser(world.alice)).map((g) => g.app?.name)).toEqual(['Build Dashboard']);
        expect(await world.services.oauthGrants.revokeForApp(world.alice, app, { actor: systemActor, via: 'cli' })).toBe(1);
        expect(await world.services.oauthGrants.revokeForApp(world.alice, app, { actor: systemActor, via: 'cli' })).toBe(0);
      });

      it("names the user's organizations and counts its cache hits and misses", async () => {
        const issued = await issue();
        const first = await verifier.verify(issued.accessToken, issuer);
        if (first.status !== 'active') throw new Error(`expected active, got ${first.status}`);
        expect([...first.memberOf].sort()).toEqual([world.contoso.id, world.fabrikam.id].sort());
        expect(first.grant.id).toBe(issued.authorizationId);
        expect(verifier.cacheStats).toEqual({ hits: 0, misses: 1 });
        await verifier.verify(issued.accessToken, issuer);
        expect(verifier.cacheStats).toEqual({ hits: 1, misses: 1 });
      });

      it('keeps at most maxCacheEntries grants in its cache', async () => {
        const bounded = new OAuthTokenVerifier(
          world.services.context,
          world.services.accessTokens,
          new MembershipCache(world.services.context, 500),
          { cacheMs: 60_000, maxCacheEntries: 1 },
        );
        const first = await issue();
        const second = await issue();
        for (const issued of [first, second, first])
          expect((await bounded.verify(issued.accessToken, issuer)).status).toBe('active');
        expect(bounded.cacheStats).toEqual({ hits: 0, misses: 3 });
      });

      it('refuses a token whose subject is not the user of its grant', async () => {
        const issued = await issue();
        const { token } = await world.services.accessTokens.sign({
          issuer,
          userId: world.bob.id,
          appId: app.id,
          authorizationId: issued.authorizationId,
          scopes: ['vso.build'],
        });
        expect(await status(token)).toBe('revoked');
      });

      it('revokes only the grants of the app named, recording each once, and this process stops them at once', async () => {
        const other = await world.services.oauthApps.register({
          owner: world.alice,
          name: 'Release Notes',
          callbackUrls: [callback],
          scope: 'vso.build',
        });
        const mine = await issue();
        const theirs = await issue('vso.build', other);
        expect(await status(mine.accessToken)).toBe('active');
        expect(await world.services.oauthGrants.revokeForApp(world.alice, app, { actor: systemActor, via: 'cli' })).toBe(1);
        expect(await status(mine.accessToken)).toBe('revoked');
        expect(await status(theirs.accessToken)).toBe('active');
        const grant = await world.services.oauthGrants.getOwned(world.alice, theirs.authorizationId);
        await world.services.oauthGrants.revoke(grant, { actor: systemActor, via: 'cli' });
        await world.services.oauthGrants.revoke(grant, { actor: systemActor, via: 'cli' });
        const { entries } = await world.services.audit.page({ actions: ['oauth.revoked'] }, 10);
        expect(entries.map((entry) => entry.data)).toEqual([
          expect.objectContaining({ grantId: theirs.authorizationId, appName: 'Release Notes' }),
          expect.objectContaining({ grantId: mine.authorizationId, appName: 'Build Dashboard' }),
        ]);
      });

      it('narrows an edited app at once: grants beyond its new scopes end, the others stay', async () => {
        const narrow = await issue('vso.build');
        const wide = await issue('vso.project');
        expect(await status(wide.accessToken)).toBe('active');
        const edited = await world.services.oauthApps.edit(app, { scope: 'vso.build vso.profile' });
        expect(edited).toMatchObject({ revokedGrants: 1, app: { scopes: ['vso.build', 'vso.profile'] } });
        expect(edited.app.callbackUrls).toEqual(app.callbackUrls);
        expect(await status(wide.accessToken)).toBe('revoked');
        expect(await status(narrow.accessToken)).toBe('active');
        expect((await world.services.oauthApps.get(app.id)).scopes).toEqual(['vso.build', 'vso.profile']);
      });

      it('honours a revocation made by another process on the same database at the latest once its cache lifetime passes', async () => {
        const issued = await issue();
        const other = openSecondConnection(store);
        try {
          const otherServices = buildServices(
            other,
            clock,
            testConfig({ LAPIS_TOKEN_SECRET: secret, LAPIS_OAUTH_KEYS_FILE: keysFile }),
          );
          const otherVerifier = new OAuthTokenVerifier(
            otherServices.context,
            otherServices.accessTokens,
            new MembershipCache(otherServices.context, 500),
            { cacheMs: 500 },
          );
          expect((await otherVerifier.verify(issued.accessToken, issuer)).status).toBe('active');
          await world.services.oauthGrants.revokeForApp(world.alice, app, { actor: systemActor, via: 'cli' });
          // The change feed may bring the notice sooner; the cache lifetime is the bound when it does not.
          clock.advance(500);
          expect((await otherVerifier.verify(issued.accessToken, issuer)).status).toBe('revoked');
        } finally {
          await other.close();
        }
      });
    });
  });
}
