import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, expectAccessible, launchChromium, openPage, screenshot } from '../support/browser.js';

for (const backend of backends()) {
  describe.skipIf(!chromiumAvailable || !backend.available)(
    `token restrictions on the token pages in Chromium on ${backend.name}`,
    () => {
      let lapis: Awaited<ReturnType<typeof testApp>>;
      let baseUrl: string;
      let browser: Browser;
      let page: Page;
      let close: () => Promise<void>;

      beforeAll(async () => {
        lapis = await testApp(await backend.open());
        await lapis.services.users.add({ username: 'alice', displayName: 'Alice Example', password: 'alice-password' });
        const contoso = await lapis.services.organizations.add('contoso', 'alice');
        await lapis.services.projects.add(contoso.id, { name: 'web' });
        await lapis.services.projects.add(contoso.id, { name: 'api' });
        baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
        browser = await launchChromium();
        ({ page, close } = await openPage(browser, baseUrl));
        // The shared test machine can be slow; generous waits keep this about behaviour, not speed.
        page.setDefaultTimeout(90_000);
      });
      afterAll(async () => {
        await close?.();
        await browser?.close();
        await lapis?.app.close();
        await backend.cleanup();
      });

      function api(token: string, path: string, method = 'GET') {
        return fetch(`${baseUrl}/contoso/${path}?api-version=7.1`, {
          method,
          headers: { authorization: `Basic ${Buffer.from(`:${token}`).toString('base64')}`, 'x-tfs-fedauthredirect': 'Suppress' },
        });
      }

      it('sets restrictions on the new token form, shows them, enforces them and edits them', async () => {
        await page.goto('/');
        await page.getByLabel('Username').fill('alice');
        await page.getByLabel('Password').fill('alice-password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.goto('/contoso/_usersSettings/tokens/new');
        await page.getByLabel('Name').fill('deploy bot');
        await page.getByRole('group', { name: 'Build' }).getByLabel('Read and execute').check();
        await page.getByLabel('Projects').fill('web');
        await page.getByLabel(/^Read-only/).check();
        await page.getByLabel('Allowed client addresses').fill('127.0.0.1\n10.0.0.0/8');
        await page.getByLabel('Rate limit').fill('lots');
        await page.getByRole('button', { name: 'Create' }).click();
        // A refused form comes back as it was left, with the reason.
        await expect(page.getByRole('alert').textContent()).resolves.toContain('is not a count per window such as 60/min');
        await expect(page.getByLabel('Allowed client addresses').inputValue()).resolves.toBe('127.0.0.1\n10.0.0.0/8');
        await screenshot(page, `token-restrictions-refused-${backend.name}`);
        await page.getByLabel('Rate limit').fill('5/min');
        await page.getByRole('group', { name: 'Build' }).getByLabel('Read and execute').check();
        await page.getByRole('button', { name: 'Create' }).click();
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Token created');
        const restrictions = 'projects web; read-only; from 127.0.0.1/32, 10.0.0.0/8; 5/min';
        await expect(page.locator('dl.summary').textContent()).resolves.toContain(restrictions);
        const token = await page.getByLabel(/^Personal access token/).inputValue();
        await expectAccessible(page, `token-restrictions-created-${backend.name}`);

        const read = await api(token, 'web/_apis/build/builds');
        expect(read.status).toBe(200);
        expect(read.headers.get('ratelimit-limit')).toBe('5');
        expect((await api(token, 'api/_apis/build/builds')).status).toBe(403);
        expect((await api(token, 'web/_apis/build/builds', 'POST')).status).toBe(403);

        await page.getByRole('link', { name: 'Back to personal access tokens' }).click();
        const row = page.getByRole('row', { name: /deploy bot/ });
        await expect(row.getByRole('cell', { name: /Restricted: / }).textContent()).resolves.toContain(restrictions);
        await expectAccessible(page, `token-restrictions-list-${backend.name}`);

        await page.getByRole('link', { name: 'Edit deploy bot' }).click();
        await expect(page.getByLabel('Projects').inputValue()).resolves.toBe('web');
        await expect(page.getByLabel(/^Read-only/).isChecked()).resolves.toBe(true);
        await expect(page.getByLabel('Rate limit').inputValue()).resolves.toBe('5/min');
        await page.getByLabel('Allowed client addresses').fill('10.0.0.0/8');
        await page.getByLabel('Projects').fill('web, api');
        await page.getByLabel(/^Read-only/).uncheck();
        await expectAccessible(page, `token-restrictions-edit-${backend.name}`);
        await page.getByRole('button', { name: 'Save' }).click();
        await expect(page.getByRole('status').textContent()).resolves.toBe('The token was saved.');
        await expect(row.getByRole('cell', { name: /Restricted: / }).textContent()).resolves.toContain(
          'projects web, api; from 10.0.0.0/8; 5/min',
        );
        await screenshot(page, `token-restrictions-edited-${backend.name}`);
        const refused = await api(token, 'api/_apis/build/builds');
        expect(refused.status).toBe(403);
        expect((await refused.json()).message).toBe(
          'Access Denied: this personal access token may be used only from 10.0.0.0/8; this request came from 127.0.0.1.',
        );
        // Generous: a page walk on the shared test machine can take minutes; nothing here asserts speed.
      }, 600_000);
    },
  );
}
