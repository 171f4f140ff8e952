import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OAuthApp } from '../../src/domain/oauth.js';
import { bearerStatus } from '../support/api-call.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, expectAccessible, launchChromium, openPage } from '../support/browser.js';

const [sqlite] = backends();

describe.skipIf(!chromiumAvailable)('OAuth pages in Chromium', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let baseUrl: string;
  let callbackServer: Server;
  let callback: string;
  let oauthApp: OAuthApp;
  let oauthSecret: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // The app's own server: the consent form's redirect must really arrive here.
    callbackServer = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Callback</title>');
    });
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    callback = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/oauth-callback`;

    lapis = await testApp(await sqlite!.open());
    const alice = await lapis.services.users.add({ username: 'alice', displayName: 'Alice Example', password: 'alice-password' });
    await lapis.services.organizations.add('contoso', 'alice');
    ({ app: oauthApp, secret: oauthSecret } = await lapis.services.oauthApps.register({
      owner: alice,
      name: 'Build Radiator',
      company: 'Example Ltd',
      website: 'https://radiator.example.test',
      description: 'Shows the state of your builds on the office screen.\nRefreshes every minute.',
      callbackUrls: [callback],
      scope: 'vso.build vso.project vso.code_write',
    }));
    baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await lapis?.app.close();
    await new Promise((resolve) => callbackServer?.close(resolve));
    await sqlite!.cleanup();
  });

  beforeEach(async () => {
    const opened = await openPage(browser, baseUrl);
    page = opened.page;
    return opened.close;
  });

  async function signIn() {
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('alice-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  function authorizeUrl(state: string): string {
    const query = new URLSearchParams({
      client_id: oauthApp.id,
      response_type: 'Assertion',
      state,
      scope: 'vso.build vso.code_write',
      redirect_uri: callback,
    });
    return `/oauth2/authorize?${query}`;
  }

  async function exchangeCode(code: string): Promise<string> {
    const answer = await fetch(`${baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: oauthSecret,
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: code,
        redirect_uri: callback,
      }).toString(),
    });
    expect(answer.status).toBe(200);
    return ((await answer.json()) as { access_token: string }).access_token;
  }

  it('signs in from the authorize link, shows the consent page and lands on the callback with a code', async () => {
    await page.goto(authorizeUrl('first'));
    await expect(page.title()).resolves.toBe('Sign in · Lapis');
    await signIn();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Authorize Build Radiator');
    await expect(page.getByRole('list', { name: 'Requested scopes' }).textContent()).resolves.toContain('Code (read and write)');
    await expectAccessible(page, 'oauth-consent');

    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL((url) => url.href.startsWith(callback));
    const landing = new URL(page.url());
    expect(landing.searchParams.get('state')).toBe('first');
    expect(landing.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await page.goto(authorizeUrl('second'));
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL((url) => url.href.startsWith(callback));
    expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(authorizeUrl('phone'));
    await expectAccessible(page, 'oauth-consent-phone');

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`/oauth2/authorize?client_id=${oauthApp.id}&response_type=Assertion&redirect_uri=https://evil.example/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Authorization request refused');
    await expectAccessible(page, 'oauth-refused');
  });

  it('lists the authorized app and revokes it through the confirmation page', async () => {
    await page.goto('/');
    await signIn();
    await page.goto(authorizeUrl('list'));
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL((url) => url.href.startsWith(callback));
    const accessToken = await exchangeCode(new URL(page.url()).searchParams.get('code') ?? '');
    expect(await bearerStatus(baseUrl, 'contoso', accessToken)).toBe(200);

    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Authorized apps' }).click();
    const revokeLinks = page.getByRole('link', { name: /^Revoke Build Radiator/ });
    const listed = await revokeLinks.count();
    expect(listed).toBeGreaterThan(0);
    await expect(page.getByRole('rowheader', { name: 'Build Radiator · Example Ltd' }).count()).resolves.toBe(listed);
    await expectAccessible(page, 'oauth-authorizations');
    // Newest first: the first row is the grant whose access token was just issued.
    await revokeLinks.first().click();
    await expectAccessible(page, 'oauth-revoke-confirm');
    await page.getByRole('button', { name: 'Revoke access' }).click();
    await expect(page.title()).resolves.toBe('Authorized apps · Lapis');
    await expect(revokeLinks.count()).resolves.toBe(listed - 1);
    expect(await bearerStatus(baseUrl, 'contoso', accessToken)).toBe(401);
  });

  it('registers an app, shows its secret once, and manages it', async () => {
    await page.goto('/app/register');
    await signIn();
    await expect(page.title()).resolves.toBe('Register an app · Lapis');
    await page.getByLabel('Application name').fill('Release Notes');
    await page.getByLabel('Company name').fill('Example Ltd');
    await page.getByLabel('Application website').fill('https://notes.example.test');
    await page.getByLabel('Description').fill('Writes release notes from builds.');
    await page.getByLabel('Authorization callback URLs').fill('http://notes.example.test/cb');
    await page.getByRole('group', { name: 'Build', exact: true }).getByLabel('Read', { exact: true }).check();
    await page.getByRole('button', { name: 'Create application' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('must use https');
    await expectAccessible(page, 'app-register-error');

    await page.getByLabel('Authorization callback URLs').fill('https://notes.example.test/cb\nhttp://localhost:3000/cb');
    await page.getByRole('button', { name: 'Create application' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Application registered');
    await expect(page.getByRole('status').textContent()).resolves.toContain('It will not be shown again.');
    await expectAccessible(page, 'app-registered');

    await page.getByRole('link', { name: "Go to the app's page" }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Release Notes');
    await expectAccessible(page, 'app-details');
    await page.getByRole('link', { name: 'Rotate secret' }).click();
    await expectAccessible(page, 'app-rotate-confirm');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('New client secret');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My apps' }).click();
    await expect(page.getByRole('link', { name: 'Build Radiator' }).count()).resolves.toBe(1);
    await expectAccessible(page, 'apps');
    await page.getByRole('link', { name: 'Release Notes' }).click();
    await page.getByRole('link', { name: 'Remove app' }).click();
    await page.getByRole('button', { name: 'Remove application' }).click();
    await expect(page.getByRole('link', { name: 'Release Notes' }).count()).resolves.toBe(0);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/app/register');
    await expectAccessible(page, 'app-register-phone');
  });
});
