import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../src/domain/entities.js';
import type { OAuthApp } from '../../src/domain/oauth.js';
import { bearerStatus as apiBearerStatus } from '../support/api-call.js';
import { backends } from '../support/backends.js';
import { type Listening, listening } from '../support/listening.js';
import { callback, pkcePair } from '../support/oauth.js';
import { csrfToken, uiClient } from '../support/ui.js';

const [sqlite] = backends();

/** The value of a hidden field of the consent form. */
function hidden(html: string, name: string): string | undefined {
  return new RegExp(`type="hidden" name="${name}" value="([^"]*)"`).exec(html)?.[1];
}

function authorizeUrl(params: Record<string, string>): string {
  return `/oauth2/authorize?${new URLSearchParams(params).toString()}`;
}

describe('OAuth pages', () => {
  let server: Listening;
  let lapis: Listening['lapis'];
  let alice: User;
  let app: OAuthApp;
  let clientSecret: string;

  beforeEach(async () => {
    server = await listening(await sqlite!.open());
    lapis = server.lapis;
    alice = await lapis.services.users.add({ username: 'alice', displayName: 'Alice', password: 'alice-password' });
    await lapis.services.users.add({ username: 'bob', password: 'bob-password' });
    await lapis.services.users.add({ username: 'root', password: 'root-password', isAdmin: true });
    ({ app, secret: clientSecret } = await lapis.services.oauthApps.register({
      owner: alice,
      name: 'Build <b>Dashboard</b>',
      company: 'Example & Co',
      website: 'https://example.test/"quoted"',
      description: 'Shows <script>alert(1)</script> builds.',
      callbackUrls: [callback, 'http://127.0.0.1:7777/cb'],
      scope: 'vso.build vso.project vso.code_write',
    }));
    await lapis.services.organizations.add('contoso', 'alice');
    return async () => {
      await server.close();
    };
  });
  afterAll(() => sqlite!.cleanup());

  const params = (extra: Record<string, string> = {}) => ({
    client_id: app.id,
    response_type: 'Assertion',
    state: 'xyz 123',
    scope: 'vso.build vso.code_write',
    redirect_uri: callback,
    ...extra,
  });

  async function signedIn(username = 'alice') {
    const browser = uiClient(lapis.app);
    expect((await browser.signIn(username, `${username}-password`)).statusCode).toBe(303);
    return browser;
  }

  async function tokenRequest(fields: Record<string, string>) {
    return lapis.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
  }

  async function codeFor(browser: ReturnType<typeof uiClient>, extra: Record<string, string> = {}): Promise<string> {
    const url = authorizeUrl(params(extra));
    const consent = await browser.get(url);
    const fields = Object.fromEntries(
      ['client_id', 'response_type', 'state', 'scope', 'redirect_uri', 'code_challenge', 'code_challenge_method']
        .map((name) => [name, hidden(consent.body, name)])
        .filter((pair): pair is [string, string] => pair[1] !== undefined),
    );
    const accepted = await browser.postRaw('/oauth2/authorize', {
      _csrf: csrfToken(consent.body),
      ...fields,
      decision: 'accept',
    });
    return new URL(accepted.headers.location as string).searchParams.get('code')!;
  }

  it('sends a signed-out visitor to sign in and back to the same authorize request', async () => {
    const browser = uiClient(lapis.app);
    const url = authorizeUrl(params());
    const first = await browser.get(url);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`/_signin?returnUrl=${encodeURIComponent(url)}`);
    const signInPage = await browser.get(first.headers.location as string);
    expect(hidden(signInPage.body, 'returnUrl')).toBe(url.replaceAll('&', '&amp;'));
    const signedIn = await browser.signIn('alice', 'alice-password', url);
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe(url);
    const consent = await browser.get(url);
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('<h1 id="consent-heading">Authorize Build &lt;b>Dashboard&lt;/b></h1>');
  });

  it('answers an unknown client or an unregistered redirect_uri with a 400 page and never a redirect', async () => {
    const browser = await signedIn();
    const cases = [
      params({ client_id: '00000000-0000-4000-8000-000000000000' }),
      params({ client_id: 'not-a-guid' }),
      params({ redirect_uri: 'https://evil.example/callback' }),
      params({ redirect_uri: `${callback}/` }),
      { client_id: app.id, response_type: 'Assertion', scope: 'vso.build' },
    ];
    for (const query of cases) {
      const response = await browser.get(authorizeUrl(query));
      expect(response.statusCode, JSON.stringify(query)).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('Authorization request refused');
    }
    const repeated = await browser.get(`${authorizeUrl(params())}&redirect_uri=${encodeURIComponent('https://evil.example/')}`);
    expect(repeated.statusCode).toBe(400);
    expect(repeated.headers.location).toBeUndefined();
    expect(repeated.body).toContain('The parameter redirect_uri is repeated.');
  });

  it('sends other errors back to the registered callback with the state', async () => {
    const browser = await signedIn();
    const response = await browser.get(authorizeUrl(params({ scope: 'vso.work' })));
    expect(response.statusCode).toBe(303);
    const location = new URL(response.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(callback);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('state')).toBe('xyz 123');
    const badType = await browser.get(authorizeUrl(params({ response_type: 'token' })));
    expect(new URL(badType.headers.location as string).searchParams.get('error')).toBe('unsupported_response_type');
  });

  it('shows the app and the requested scopes in words, escaped, and lets the form post to the callback origin', async () => {
    const browser = await signedIn();
    const consent = await browser.get(authorizeUrl(params()));
    expect(consent.statusCode).toBe(200);
    expect(consent.headers['cache-control']).toBe('no-store');
    expect(consent.headers['content-security-policy']).toContain("form-action 'self' https://app.example.test;");
    expect(consent.headers['x-frame-options']).toBe('DENY');
    expect(consent.body).toContain('by Example &amp; Co');
    expect(consent.body).toContain('href="https://example.test/&quot;quoted&quot;"');
    expect(consent.body).toContain('Shows &lt;script>alert(1)&lt;/script> builds.');
    expect(consent.body).not.toMatch(/<script|<b>/);
    expect(consent.body).toContain('Build (read)');
    expect(consent.body).toMatch(/Code \(read and write\).*High privilege/);
    expect(consent.body).not.toContain('Project and team (read)');
    expect(hidden(consent.body, 'client_id')).toBe(app.id);
    expect(hidden(consent.body, 'scope')).toBe('vso.build vso.code_write');
    expect(hidden(consent.body, 'state')).toBe('xyz 123');
    expect(hidden(consent.body, 'code_challenge')).toBeUndefined();
  });

  it('redirects to the callback with a code and the state on Accept, and the code buys tokens', async () => {
    const browser = await signedIn();
    const consent = await browser.get(authorizeUrl(params()));
    const accepted = await browser.postRaw('/oauth2/authorize', {
      _csrf: csrfToken(consent.body),
      client_id: app.id,
      response_type: 'Assertion',
      state: 'xyz 123',
      scope: 'vso.build vso.code_write',
      redirect_uri: callback,
      decision: 'accept',
    });
    expect(accepted.statusCode).toBe(303);
    const location = new URL(accepted.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(callback);
    expect(location.searchParams.get('state')).toBe('xyz 123');
    const code = location.searchParams.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(server.logs().join('\n')).not.toContain(code);

    const grants = await lapis.services.oauthGrants.listForUser(alice);
    expect(grants.map(({ grant }) => grant.scopes)).toEqual([['vso.build', 'vso.code_write']]);
    const tokens = await tokenRequest({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientSecret,
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: code,
      redirect_uri: callback,
    });
    expect(tokens.statusCode).toBe(200);
    expect(tokens.json().scope).toBe('vso.build vso.code_write');
  });

  it('carries a PKCE challenge through the consent form', async () => {
    const browser = await signedIn();
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(browser, { code_challenge: challenge, code_challenge_method: 'S256', response_type: 'code' });
    const tokens = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: callback,
      client_id: app.id,
      client_secret: clientSecret,
      code_verifier: verifier,
    });
    expect(tokens.statusCode).toBe(200);
  });

  it("shows the app's authorize and token URLs with a ready authorize link", async () => {
    const page = await (await signedIn()).get(`/app/${app.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<code>http://localhost:80/oauth2/authorize</code>');
    expect(page.body).toContain('<code>http://localhost:80/oauth2/token</code>');
    const link = /href="(http:\/\/localhost\/oauth2\/authorize\?[^"]+)">Authorize this app now/.exec(page.body)?.[1] ?? '';
    const query = new URL(link.replaceAll('&amp;', '&')).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      client_id: app.id,
      response_type: 'Assertion',
      state: 'try',
      scope: 'vso.build vso.project vso.code_write',
      redirect_uri: callback,
    });
  });

  it('edits callbacks and scopes, revoking authorizations that hold a removed scope', async () => {
    const browser = await signedIn();
    await codeFor(browser);
    expect((await lapis.services.oauthGrants.listForUser(alice)).filter(({ grant }) => !grant.revokedAt)).toHaveLength(1);

    const bob = await signedIn('bob');
    expect((await bob.get(`/app/${app.id}/edit`)).statusCode).toBe(404);

    const refused = await browser.submit(`/app/${app.id}/edit`, `/app/${app.id}/edit`, {
      callbacks: 'http://evil.example/cb',
      scope: ['vso.build'],
    });
    expect(refused.statusCode).toBe(400);
    expect((await lapis.services.oauthApps.get(app.id)).callbackUrls).toEqual([callback, 'http://127.0.0.1:7777/cb']);

    const saved = await browser.submit(`/app/${app.id}/edit`, `/app/${app.id}/edit`, {
      callbacks: 'http://127.0.0.1:7777/cb\nhttp://127.0.0.1:8888/cb',
      scope: ['vso.build', 'vso.project'],
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/app/${app.id}`);
    const edited = await lapis.services.oauthApps.get(app.id);
    expect(edited.callbackUrls).toEqual(['http://127.0.0.1:7777/cb', 'http://127.0.0.1:8888/cb']);
    expect(edited.scopes).toEqual(['vso.build', 'vso.project']);
    // The grant held vso.code_write, which the app may no longer ask for.
    expect((await lapis.services.oauthGrants.listForUser(alice)).filter(({ grant }) => !grant.revokedAt)).toEqual([]);
  });

  it('redirects with access_denied and the state on Deny, and grants nothing', async () => {
    const browser = await signedIn();
    const consent = await browser.get(authorizeUrl(params()));
    const denied = await browser.postRaw('/oauth2/authorize', {
      _csrf: csrfToken(consent.body),
      ...params(),
      decision: 'deny',
    });
    expect(denied.statusCode).toBe(303);
    const location = new URL(denied.headers.location as string);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('xyz 123');
    expect(location.searchParams.get('code')).toBeNull();
    expect(await lapis.services.oauthGrants.listForUser(alice)).toEqual([]);
  });

  it('refuses a consent POST without a valid CSRF token', async () => {
    const browser = await signedIn();
    const missing = await browser.postRaw('/oauth2/authorize', { ...params(), decision: 'accept' });
    expect(missing.statusCode).toBe(403);
    expect(missing.headers.location).toBeUndefined();
    const forged = await browser.postRaw('/oauth2/authorize', { _csrf: 'forged', ...params(), decision: 'accept' });
    expect(forged.statusCode).toBe(403);
    expect(await lapis.services.oauthGrants.listForUser(alice)).toEqual([]);
  });

  it('validates the posted fields again: tampering cannot widen scopes or change the callback', async () => {
    const browser = await signedIn();
    const consent = await browser.get(authorizeUrl(params()));
    const token = csrfToken(consent.body);
    const widened = await browser.postRaw('/oauth2/authorize', {
      _csrf: token,
      ...params({ scope: 'vso.build vso.code_write app_token' }),
      decision: 'accept',
    });
    expect(widened.statusCode).toBe(303);
    const location = new URL(widened.headers.location as string);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('code')).toBeNull();

    const elsewhere = await browser.postRaw('/oauth2/authorize', {
      _csrf: token,
      ...params({ redirect_uri: 'https://evil.example/cb' }),
      decision: 'accept',
    });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.headers.location).toBeUndefined();

    const undecided = await browser.postRaw('/oauth2/authorize', { _csrf: token, ...params(), decision: 'maybe' });
    expect(undecided.statusCode).toBe(400);
    expect(await lapis.services.oauthGrants.listForUser(alice)).toEqual([]);
  });

  it('lists the authorized apps and revokes one after confirmation, at once', async () => {
    const browser = await signedIn();
    const code = await codeFor(browser);
    const tokens = await tokenRequest({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientSecret,
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: code,
      redirect_uri: callback,
    });
    const { access_token: accessToken } = tokens.json() as { access_token: string };
    const bearerStatus = () => apiBearerStatus(server.url, 'contoso', accessToken);
    expect(await bearerStatus()).toBe(200);

    const list = await browser.get('/_usersSettings/authorizations');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Build &lt;b>Dashboard&lt;/b>');
    expect(list.body).toContain('Code (read and write)');
    const { grant } = (await lapis.services.oauthGrants.listForUser(alice))[0]!;
    const revokePath = `/_usersSettings/authorizations/${grant.id}/revoke`;
    expect(list.body).toContain(`href="${revokePath}"`);

    const confirm = await browser.get(revokePath);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="${revokePath}"`);
    const bob = await signedIn('bob');
    expect((await bob.get(revokePath)).statusCode).toBe(404);
    expect((await bob.submit('/_usersSettings/authorizations', revokePath, {})).statusCode).toBe(404);

    const revoked = await browser.submit(revokePath, revokePath, {});
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/_usersSettings/authorizations');
    expect(await bearerStatus()).toBe(401);
    expect((await browser.get('/_usersSettings/authorizations')).body).toContain('You have not authorized any application.');
  });

  it('registers an app, showing the secret once, and re-renders the form on bad input', async () => {
    const browser = await signedIn('bob');
    const form = await browser.get('/app/register');
    expect(form.statusCode).toBe(200);
    expect(form.body).toMatch(/<input type="checkbox" id="scope-vso\.build" name="scope" value="vso\.build"/);
    expect(form.body).not.toContain('value="vso.base"');

    const fields = {
      name: 'Release Notes',
      company: 'Bob Ltd',
      website: 'https://notes.example',
      description: 'Writes release notes.',
      callbacks: 'https://notes.example/cb\r\n\r\nhttp://localhost:3000/cb\r\n',
    };
    const post = async (extra: Record<string, string | string[]>) => {
      const page = await browser.get('/app/register');
      return browser.postRaw('/app/register', { _csrf: csrfToken(page.body), ...fields, ...extra });
    };

    const badUrl = await post({ callbacks: 'not a url', scope: 'vso.build' });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.body).toContain('Callback URL &quot;not a url&quot; is not an absolute URL.');
    expect(badUrl.body).toContain('value="Release Notes"');
    expect(badUrl.body).toContain('value="vso.build" checked');
    const plainHttp = await post({ callbacks: 'http://notes.example/cb', scope: 'vso.build' });
    expect(plainHttp.statusCode).toBe(400);
    expect(plainHttp.body).toContain('must use https');
    const unknownScope = await post({ scope: ['vso.build', 'vso.nonsense'] });
    expect(unknownScope.statusCode).toBe(400);
    expect(unknownScope.body).toContain('Unknown scope: vso.nonsense.');
    const noScope = await post({});
    expect(noScope.body).toContain('At least one scope is required.');
    expect(await lapis.services.oauthApps.list()).toHaveLength(1);

    const created = await post({ scope: ['vso.build', 'vso.project'] });
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toContain('It will not be shown again.');
    const secret = /<code class="secret">([^<]+)<\/code>/.exec(created.body)![1]!;
    const registered = (await lapis.services.oauthApps.list()).find((entry) => entry.name === 'Release Notes')!;
    expect(registered.callbackUrls).toEqual(['https://notes.example/cb', 'http://localhost:3000/cb']);
    expect(registered.scopes).toEqual(['vso.build', 'vso.project']);
    expect(lapis.services.oauthApps.secretMatches(registered, secret)).toBe(true);
    expect(created.body).toContain(registered.id);
    expect(server.logs().join('\n')).not.toContain(secret);

    const list = await browser.get('/app');
    expect(list.body).toContain(`href="/app/${registered.id}"`);
    expect(list.body).toContain('https://notes.example/cb');
    expect(list.body).not.toContain(app.id);
    const details = await browser.get(`/app/${registered.id}`);
    expect(details.statusCode).toBe(200);
    expect(details.body).toContain('Project and team (read)');
    for (const page of [list, details]) expect(page.body).not.toContain(secret);
  });

  it('rotates the secret (the old one is refused at /oauth2/token) and removes the app', async () => {
    const browser = await signedIn();
    const appPage = `/app/${app.id}`;
    const confirm = await browser.get(`${appPage}/rotate-secret`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="${appPage}/rotate-secret"`);
    const rotated = await browser.submit(appPage, `${appPage}/rotate-secret`, {});
    expect(rotated.statusCode).toBe(200);
    const newSecret = /<code class="secret">([^<]+)<\/code>/.exec(rotated.body)![1]!;
    expect(newSecret).not.toBe(clientSecret);
    expect((await browser.get(appPage)).body).not.toContain(newSecret);

    const exchange = async (secret: string) =>
      tokenRequest({
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: secret,
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: await codeFor(browser),
        redirect_uri: callback,
      });
    const old = await exchange(clientSecret);
    expect(old.statusCode).toBe(401);
    expect(old.json().error).toBe('invalid_client');
    expect((await exchange(newSecret)).statusCode).toBe(200);

    expect((await browser.get(`${appPage}/remove`)).body).toContain('This cannot be undone.');
    const removed = await browser.submit(appPage, `${appPage}/remove`, {});
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe('/app');
    expect(await lapis.services.oauthApps.find(app.id)).toBeUndefined();
    expect((await browser.get(appPage)).statusCode).toBe(404);
    expect((await browser.get(authorizeUrl(params()))).statusCode).toBe(400);
  });

  it("hides another user's app behind a 404, except from an administrator", async () => {
    const bob = await signedIn('bob');
    for (const path of ['', '/rotate-secret', '/remove']) {
      const response = await bob.get(`/app/${app.id}${path}`);
      expect(response.statusCode, path).toBe(404);
      expect(response.body).not.toContain('Dashboard');
    }
    expect((await bob.submit('/app', `/app/${app.id}/rotate-secret`, {})).statusCode).toBe(404);
    expect((await bob.submit('/app', `/app/${app.id}/remove`, {})).statusCode).toBe(404);
    expect((await bob.get('/app/not-a-guid')).statusCode).toBe(404);
    expect(await lapis.services.oauthApps.find(app.id)).toBeDefined();
    expect(lapis.services.oauthApps.secretMatches((await lapis.services.oauthApps.find(app.id))!, clientSecret)).toBe(true);

    const root = await signedIn('root');
    expect((await root.get(`/app/${app.id}`)).statusCode).toBe(200);
    expect((await uiClient(lapis.app).get('/app')).headers.location).toBe('/_signin?returnUrl=%2Fapp');
  });

  it('links the OAuth pages from the header and the home page', async () => {
    const home = await (await signedIn()).get('/');
    expect(home.body.match(/href="\/_usersSettings\/authorizations"/g)).toHaveLength(2);
    expect(home.body.match(/href="\/app"/g)).toHaveLength(2);
  });
});
