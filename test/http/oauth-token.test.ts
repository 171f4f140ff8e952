import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/domain/audit.js';
import type { OAuthApp } from '../../src/domain/oauth.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { backends } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { basic, type Listening, listening } from '../support/listening.js';
import { authorizeCode, callback, pkcePair, registerPublicTestApp, registerTestApp } from '../support/oauth.js';
import { seedWorld, type World } from '../support/world.js';

const [sqlite] = backends();
const secret = '9a'.repeat(32);
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const jwtBearer = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('OAuth token endpoint over HTTP', () => {
  let store: KyselyStore;
  let world: World;
  let server: Listening;
  let app: OAuthApp;
  let clientSecret: string;
  const clock = movableClock();
  const responses: { statusCode: number }[] = [];

  beforeEach(async () => {
    clock.set('2026-06-01T12:00:00.000Z');
    store = await sqlite!.open();
    world = await seedWorld(store, clock, { LAPIS_TOKEN_SECRET: secret });
    await world.services.projects.add(world.contoso.id, { name: 'web' });
    server = await listening(store, { env: { LAPIS_TOKEN_SECRET: secret, LAPIS_AUTH_CACHE_MS: '500' }, clock });
    ({ app, secret: clientSecret } = await registerTestApp(server.lapis.services, world.alice));
    return () => server.close();
  });
  afterEach(() => {
    for (const response of responses.splice(0)) expect(response.statusCode).toBeLessThan(500);
  });
  afterAll(() => sqlite!.cleanup());

  const services = () => server.lapis.services;
  const code = (params: Record<string, string> = {}) => authorizeCode(services(), world.alice, { clientId: app.id, ...params });

  async function post(form: Record<string, string> | string, headers: Record<string, string> = {}) {
    const payload = typeof form === 'string' ? form : new URLSearchParams(form).toString();
    const response = await server.lapis.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload,
    });
    responses.push(response);
    return response;
  }

  /** A real API call with the token over Bearer, as the official client sends it: connectionData unless told. */
  async function bearer(token: string, path = '/contoso/_apis/connectionData') {
    const answer = await fetch(`${server.url}${path}`, {
      headers: { authorization: `Bearer ${token}`, 'x-tfs-fedauthredirect': 'Suppress' },
    });
    const text = await answer.text();
    const response = { statusCode: answer.status, headers: answer.headers, json: () => JSON.parse(text) };
    responses.push(response);
    return response;
  }
  const teams = '/contoso/_apis/projects/web/teams';

  const adoExchange = (assertion: string, overrides: Record<string, string> = {}) =>
    post({
      client_assertion_type: assertionType,
      client_assertion: clientSecret,
      grant_type: jwtBearer,
      assertion,
      redirect_uri: callback,
      ...overrides,
    });

  const adoRefresh = (refreshToken: string, overrides: Record<string, string> = {}) =>
    post({
      client_assertion_type: assertionType,
      client_assertion: clientSecret,
      grant_type: 'refresh_token',
      assertion: refreshToken,
      redirect_uri: callback,
      ...overrides,
    });

  it('runs the Azure DevOps flow: code, token, refresh, refresh, then a Bearer call', async () => {
    const first = await adoExchange(await code({ scope: 'vso.build' }));
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const body = first.json();
    expect(body).toEqual({
      access_token: expect.stringMatching(/^eyJ/),
      token_type: 'jwt-bearer',
      expires_in: 3600,
      refresh_token: expect.any(String),
      scope: 'vso.build',
    });
    const second = (await adoRefresh(body.refresh_token)).json();
    const third = await adoRefresh(second.refresh_token);
    expect(third.statusCode).toBe(200);
    expect(third.json().token_type).toBe('jwt-bearer');

    const call = await bearer(third.json().access_token);
    expect(call.statusCode).toBe(200);
    expect(call.json()).toMatchObject({ authenticatedUser: { id: world.alice.id } });
    expect(call.headers.get('x-vss-userdata')).toBe(`${world.alice.id}:alice`);
    expect((await bearer(third.json().access_token, '/contoso/web/_apis/build/builds')).statusCode).toBe(200);
    expect((await bearer(third.json().access_token, teams)).statusCode).toBe(401);

    const logs = server.logs().join('\n');
    for (const value of [clientSecret, body.refresh_token, body.access_token]) expect(logs).not.toContain(value);
  });

  it('runs the standard flow with HTTP Basic client authentication, then refreshes with the secret in the body', async () => {
    const first = await post(
      { grant_type: 'authorization_code', code: await code({ responseType: 'code' }), redirect_uri: callback },
      { authorization: basic(app.id, clientSecret) },
    );
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'vso.build vso.project vso.profile' });
    const refreshed = await post({
      grant_type: 'refresh_token',
      refresh_token: first.json().refresh_token,
      client_id: app.id,
      client_secret: clientSecret,
      scope: 'vso.build',
    });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json()).toMatchObject({ token_type: 'Bearer', scope: 'vso.build' });
    expect((await bearer(first.json().access_token, teams)).statusCode).toBe(200);
    const narrowed = await bearer(refreshed.json().access_token, teams);
    expect(narrowed.statusCode).toBe(401);
    expect(narrowed.json().message).toMatch(/lacks the scope vso\.project/);
  });

  it('runs the standard flow for a public client with PKCE and no secret', async () => {
    const publicApp = await registerPublicTestApp(services(), world.alice);
    const { verifier, challenge } = pkcePair();
    const issued = await post({
      grant_type: 'authorization_code',
      code: await authorizeCode(services(), world.alice, {
        clientId: publicApp.id,
        responseType: 'code',
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
      }),
      redirect_uri: callback,
      client_id: publicApp.id,
      code_verifier: verifier,
    });
    expect(issued.statusCode).toBe(200);
    const refreshed = await post({
      grant_type: 'refresh_token',
      refresh_token: issued.json().refresh_token,
      client_id: publicApp.id,
    });
    expect(refreshed.statusCode).toBe(200);
    expect((await bearer(refreshed.json().access_token)).statusCode).toBe(200);
  });

  it('refuses a confidential app that leaves out its secret, PKCE or not', async () => {
    const { verifier, challenge } = pkcePair();
    const response = await post({
      grant_type: 'authorization_code',
      code: await code({ responseType: 'code', codeChallenge: challenge, codeChallengeMethod: 'S256' }),
      redirect_uri: callback,
      client_id: app.id,
      code_verifier: verifier,
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('answers a wrong secret with 401 invalid_client, and names Basic when Basic was used', async () => {
    const viaAssertion = await adoExchange(await code(), { client_assertion: 'not-the-secret' });
    expect(viaAssertion.statusCode).toBe(401);
    expect(viaAssertion.json()).toMatchObject({ error: 'invalid_client' });
    const viaBasic = await post(
      { grant_type: 'authorization_code', code: await code(), redirect_uri: callback },
      { authorization: basic(app.id, 'wrong') },
    );
    expect(viaBasic.statusCode).toBe(401);
    expect(viaBasic.headers['www-authenticate']).toMatch(/^Basic /);
    const rotated = await services().oauthApps.rotateSecret(app);
    expect((await adoExchange(await code())).statusCode).toBe(401);
    expect((await adoExchange(await code(), { client_assertion: rotated.secret })).statusCode).toBe(200);
  });

  it('refuses a redirect_uri other than the one the code was issued for', async () => {
    const response = await adoExchange(await code(), { redirect_uri: 'http://127.0.0.1:7777/cb' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('revokes the grant when a code is reused: the first exchange’s tokens die', async () => {
    const reused = await code();
    const first = (await adoExchange(reused)).json();
    expect((await bearer(first.access_token)).statusCode).toBe(200);
    const second = await adoExchange(reused);
    expect(second.statusCode).toBe(400);
    expect(second.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/already used/) });
    expect((await bearer(first.access_token)).statusCode).toBe(401);
    expect((await adoRefresh(first.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses an expired code', async () => {
    const late = await code();
    clock.advance(301_000);
    const response = await adoExchange(late);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_grant', error_description: 'The code has expired.' });
  });

  it('answers a refresh retried within the window with the same refresh token, and keeps the chain going', async () => {
    const first = (await adoExchange(await code())).json();
    const second = await adoRefresh(first.refresh_token);
    expect(second.statusCode).toBe(200);
    clock.advance(29_000);
    const retried = await adoRefresh(first.refresh_token);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json().refresh_token).toBe(second.json().refresh_token);
    expect((await bearer(retried.json().access_token)).statusCode).toBe(200);
    const third = await adoRefresh(retried.json().refresh_token);
    expect(third.statusCode).toBe(200);
    expect(third.json().refresh_token).not.toBe(second.json().refresh_token);
  });

  it('kills the whole grant when a used refresh token comes back after the retry window', async () => {
    const first = (await adoExchange(await code())).json();
    const second = (await adoRefresh(first.refresh_token)).json();
    clock.advance(31_000);
    const replay = await adoRefresh(first.refresh_token);
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await adoRefresh(second.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' });
    const refused = await bearer(second.access_token);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers.get('x-vss-authenticateerror')).toBe('InvalidToken');
    expect((await bearer(first.access_token)).statusCode).toBe(401);
  });

  it('refuses scopes beyond the grant or unknown ones with invalid_scope', async () => {
    const issued = (await adoExchange(await code({ scope: 'vso.build' }))).json();
    const beyond = await post({
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
      client_id: app.id,
      client_secret: clientSecret,
      scope: 'vso.build vso.project',
    });
    expect(beyond.statusCode).toBe(400);
    expect(beyond.json()).toMatchObject({ error: 'invalid_scope' });
    const unknown = await post({
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
      client_secret: clientSecret,
      scope: 'vso.nothing',
    });
    expect(unknown.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('refuses a Bearer token at once when the user revokes the grant', async () => {
    const issued = (await adoExchange(await code())).json();
    expect((await bearer(issued.access_token)).statusCode).toBe(200);
    await services().oauthGrants.revokeForApp(world.alice, app, { actor: systemActor, via: 'cli' });
    const refused = await bearer(issued.access_token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().message).toMatch(/revoked/);
  });

  it('refuses tampered, alg:none and malformed Bearer tokens with 401', async () => {
    const token: string = (await adoExchange(await code({ scope: 'vso.build' }))).json().access_token;
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scp: 'app_token' })).toString('base64url');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    for (const forged of [`${header}.${widened}.${signature}`, `${none}.${payload}.`, `${token}x`, 'abc']) {
      const response = await bearer(forged);
      expect(response.statusCode).toBe(401);
      expect(response.json().message).not.toContain(forged);
    }
    expect((await bearer(token)).statusCode).toBe(200);
  });

  it('keeps old-key tokens working after a key rotation, and refuses them once the key is dropped', async () => {
    const old: string = (await adoExchange(await code())).json().access_token;
    await services().signingKeys.rotate({ dropRetired: false });
    const fresh: string = (await adoExchange(await code())).json().access_token;
    expect(fresh.split('.')[0]).not.toBe(old.split('.')[0]);
    expect((await bearer(old)).statusCode).toBe(200);
    const jwks = await server.lapis.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.json().keys).toHaveLength(2);
    expect(jwks.json().keys.every((key: Record<string, string>) => key.kty === 'EC' && key.d === undefined)).toBe(true);
    await services().signingKeys.rotate({ dropRetired: true });
    expect((await bearer(old)).statusCode).toBe(401);
  });

  it.each([
    ['a JSON body', { 'content-type': 'application/json' }, JSON.stringify({ grant_type: 'authorization_code' })],
    ['a text body', { 'content-type': 'text/plain' }, 'grant_type=authorization_code'],
    ['no body at all', {}, undefined],
  ])('answers %s with 400 invalid_request', async (_case, headers, payload) => {
    const response = await server.lapis.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers,
      ...(payload && { payload }),
    });
    responses.push(response);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it.each([
    ['no grant_type', { code: 'x' }, 'invalid_request'],
    ['an unknown grant_type', { grant_type: 'password' }, 'unsupported_grant_type'],
    ['an Azure DevOps exchange without assertion', { grant_type: jwtBearer, redirect_uri: callback }, 'invalid_request'],
    ['an Azure DevOps exchange without redirect_uri', { grant_type: jwtBearer, assertion: 'x' }, 'invalid_request'],
    ['a standard exchange without code', { grant_type: 'authorization_code', redirect_uri: callback }, 'invalid_request'],
    ['a refresh without a token', { grant_type: 'refresh_token' }, 'invalid_request'],
    [
      'a wrong client_assertion_type',
      { grant_type: jwtBearer, client_assertion_type: 'x', client_assertion: 'y' },
      'invalid_request',
    ],
    ['an unknown code', { grant_type: 'authorization_code', code: 'nope', redirect_uri: callback }, 'invalid_grant'],
  ])('answers %s with 400 %s', async (_case, form, error) => {
    const response = await post(form);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe(error);
  });

  it('refuses a repeated parameter and two client authentication methods', async () => {
    const repeated = await post(`grant_type=refresh_token&refresh_token=a&refresh_token=b&client_secret=${clientSecret}`);
    expect(repeated.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/once/) });
    const twice = await post(
      { grant_type: 'authorization_code', code: await code(), redirect_uri: callback, client_secret: clientSecret },
      { authorization: basic(app.id, clientSecret) },
    );
    expect(twice.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('publishes RFC 8414 metadata', async () => {
    const response = await server.lapis.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      issuer: 'http://localhost:80',
      authorization_endpoint: 'http://localhost:80/oauth2/authorize',
      token_endpoint: 'http://localhost:80/oauth2/token',
      jwks_uri: 'http://localhost:80/.well-known/jwks.json',
      response_types_supported: ['code', 'Assertion'],
      grant_types_supported: expect.arrayContaining(['authorization_code', 'refresh_token', jwtBearer]),
      code_challenge_methods_supported: ['S256'],
      scopes_supported: expect.arrayContaining(['vso.build', 'vso.profile']),
    });
    expect(response.json().scopes_supported).not.toContain('vso.base');
  });
});
