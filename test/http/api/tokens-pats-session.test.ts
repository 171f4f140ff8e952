import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';
import { formFields, httpBrowser } from '../../support/http-browser.js';

const version = 'api-version=7.1-preview.1';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`PAT lifecycle API from a signed-in browser on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let baseUrl: string;
    let browser: ReturnType<typeof httpBrowser>;

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      const fixture = await apiFixture(lapis);
      await lapis.services.users.setPassword(fixture.alice.username, 'alice-password-long');
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}`;
      browser = httpBrowser(baseUrl);
      const page = await (await browser.get('/_signin')).text();
      const signedIn = await browser.post('/_signin', {
        ...formFields(page, '/_signin'),
        username: 'alice',
        password: 'alice-password-long',
      });
      expect(signedIn.status).toBe(303);
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    const call = (path: string, headers: Record<string, string>, body?: unknown) =>
      fetch(`${baseUrl}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          'x-tfs-fedauthredirect': 'Suppress',
          ...headers,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });

    it('creates and lists tokens with the session cookie and the session header', async () => {
      const headers = { ...browser.cookieHeader(), 'x-lapis-session': '1' };
      const created = await call(`/contoso/_apis/tokens/pats?${version}`, headers, {
        displayName: 'from the page',
        scope: 'vso.build',
      });
      expect(created.status).toBe(200);
      expect((await created.json()).patTokenError).toBe('none');
      const listed = await call(`/contoso/_apis/tokens/pats?${version}`, headers);
      expect(listed.status).toBe(200);
      expect((await listed.json()).patTokens.map((token: { displayName: string }) => token.displayName)).toContain(
        'from the page',
      );
    });

    it('counts the cookie for nothing without the header (a cross-site form cannot forge a call)', async () => {
      const answer = await call(`/contoso/_apis/tokens/pats?${version}`, browser.cookieHeader(), {
        displayName: 'forged',
        scope: 'app_token',
      });
      expect(answer.status).toBe(401);
      const tokens = await lapis.services.tokens.list(await lapis.services.users.get('alice'));
      expect(tokens.map((token) => token.displayName)).not.toContain('forged');
    });

    it('reaches only the token APIs: other areas refuse the session for lack of scope', async () => {
      const answer = await call('/contoso/_apis/projects?api-version=7.1', { ...browser.cookieHeader(), 'x-lapis-session': '1' });
      expect(answer.status).toBe(401);
      expect((await answer.json()).message).toMatch(/lacks the scope/);
    });

    it('stops working once the user signs out', async () => {
      const cookie = browser.cookieHeader();
      const home = await (await browser.get('/')).text();
      expect((await browser.post('/_signout', formFields(home, '/_signout'))).status).toBe(303);
      const answer = await call(`/contoso/_apis/tokens/pats?${version}`, { ...cookie, 'x-lapis-session': '1' });
      expect(answer.status).toBe(401);
    });
  });
}
