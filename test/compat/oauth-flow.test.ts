import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerStatus } from '../support/api-call.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { formFields, httpBrowser } from '../support/http-browser.js';

const [sqlite] = backends();
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const jwtBearer = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

interface TokenAnswer {
  access_token: string;
  token_type: string;
  expires_in: number | string;
  refresh_token: string;
  scope: string;
}

/**
 * The whole Azure DevOps OAuth flow over a listening server, as a person in a browser and an app's
 * back end do it: register the app, sign in, consent, exchange the code, refresh, call the API.
 */
describe('OAuth flow over HTTP', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let baseUrl: string;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    await lapis.services.users.add({ username: 'alice', password: 'alice-password' });
    await lapis.services.organizations.add('contoso', 'alice');
    baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await lapis?.app.close();
    await sqlite!.cleanup();
  });

  async function tokenRequest(fields: Record<string, string>): Promise<Response> {
    return fetch(`${baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  it('registers an app, consents, exchanges the code, refreshes and calls the API with Bearer', async () => {
    const browser = httpBrowser(baseUrl);
    const callback = 'http://127.0.0.1:9/oauth-callback';

    const toRegister = await browser.get('/app/register');
    expect(toRegister.status).toBe(303);
    expect(toRegister.headers.get('location')).toBe('/_signin?returnUrl=%2Fapp%2Fregister');
    const signInPage = await (await browser.get(toRegister.headers.get('location')!)).text();
    const signedIn = await browser.post('/_signin', {
      ...formFields(signInPage, '/_signin'),
      username: 'alice',
      password: 'alice-password',
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/app/register');

    const registerPage = await (await browser.get('/app/register')).text();
    const registered = await browser.post('/app/register', [
      ...Object.entries(formFields(registerPage, '/app/register')),
      ['name', 'Build Radiator'],
      ['callbacks', callback],
      ['scope', 'vso.build'],
      ['scope', 'vso.profile'],
    ]);
    expect(registered.status).toBe(200);
    expect(registered.headers.get('cache-control')).toBe('no-store');
    const secretPage = await registered.text();
    const appId = /App ID \(client_id\)<\/dt><dd><code>([0-9a-f-]{36})<\/code>/.exec(secretPage)?.[1];
    const clientSecret = /<code class="secret">([^<]+)<\/code>/.exec(secretPage)?.[1];
    expect(appId).toBeDefined();
    expect(clientSecret).toBeDefined();

    // A new visitor (the app's user) follows the app's authorize link.
    const user = httpBrowser(baseUrl);
    const state = 'session-42';
    const authorize = `/oauth2/authorize?${new URLSearchParams({
      client_id: appId!,
      response_type: 'Assertion',
      state,
      scope: 'vso.build vso.profile',
      redirect_uri: callback,
    })}`;
    const toSignIn = await user.get(authorize);
    expect(toSignIn.status).toBe(303);
    const userSignInPage = await (await user.get(toSignIn.headers.get('location')!)).text();
    const back = await user.post('/_signin', {
      ...formFields(userSignInPage, '/_signin'),
      username: 'alice',
      password: 'alice-password',
    });
    expect(back.headers.get('location')).toBe(authorize);

    const consent = await user.get(back.headers.get('location')!);
    expect(consent.status).toBe(200);
    const consentPage = await consent.text();
    expect(consentPage).toContain('Authorize Build Radiator');
    const answered = await user.post('/oauth2/authorize', {
      ...formFields(consentPage, '/oauth2/authorize'),
      decision: 'accept',
    });
    expect(answered.status).toBe(303);
    const landing = new URL(answered.headers.get('location')!);
    expect(`${landing.origin}${landing.pathname}`).toBe(callback);
    expect(landing.searchParams.get('state')).toBe(state);
    const code = landing.searchParams.get('code')!;

    const exchanged = await tokenRequest({
      client_assertion_type: assertionType,
      client_assertion: clientSecret!,
      grant_type: jwtBearer,
      assertion: code,
      redirect_uri: callback,
    });
    expect(exchanged.status).toBe(200);
    const tokens = (await exchanged.json()) as TokenAnswer;
    expect(tokens).toMatchObject({ token_type: 'jwt-bearer', scope: 'vso.build vso.profile' });
    expect(await bearerStatus(baseUrl, 'contoso', tokens.access_token)).toBe(200);

    const refreshed = await tokenRequest({
      client_assertion_type: assertionType,
      client_assertion: clientSecret!,
      grant_type: 'refresh_token',
      assertion: tokens.refresh_token,
      redirect_uri: callback,
    });
    expect(refreshed.status).toBe(200);
    const renewed = (await refreshed.json()) as TokenAnswer;
    expect(renewed.refresh_token).not.toBe(tokens.refresh_token);
    expect(await bearerStatus(baseUrl, 'contoso', renewed.access_token)).toBe(200);
    expect(await bearerStatus(baseUrl, 'contoso', 'not-a-token')).toBe(401);

    // Revoking on the authorized-apps page ends both access tokens at once.
    const list = await (await user.get('/_usersSettings/authorizations')).text();
    const revokePath = /href="(\/_usersSettings\/authorizations\/[0-9a-f-]{36}\/revoke)"/.exec(list)?.[1];
    const confirm = await (await user.get(revokePath!)).text();
    expect((await user.post(revokePath!, formFields(confirm, revokePath!))).status).toBe(303);
    expect(await bearerStatus(baseUrl, 'contoso', renewed.access_token)).toBe(401);
    expect(await bearerStatus(baseUrl, 'contoso', tokens.access_token)).toBe(401);

    const logs = lapis.logs.lines().join('\n');
    for (const secret of [clientSecret!, code, tokens.refresh_token, tokens.access_token]) expect(logs).not.toContain(secret);
  });
});
