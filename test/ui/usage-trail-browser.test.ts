import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, expectAccessible, launchChromium, openPage } from '../support/browser.js';

for (const backend of backends()) {
  describe.skipIf(!chromiumAvailable || !backend.available)(
    `the usage trail on the token page in Chromium, ${backend.name}`,
    () => {
      let lapis: Awaited<ReturnType<typeof testApp>>;
      let baseUrl: string;
      let browser: Browser;

      beforeAll(async () => {
        lapis = await testApp(await backend.open(), { env: { LAPIS_TRUST_PROXY: 'loopback' } });
        await lapis.services.users.add({ username: 'alice', displayName: 'Alice Example', password: 'alice-password' });
        await lapis.services.organizations.add('contoso', 'alice');
        baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
        browser = await launchChromium();
      });
      afterAll(async () => {
        await browser?.close();
        await lapis?.app.close();
        await backend.cleanup();
      });

      it('lists the addresses and clients a token was used from, most recent first, stored or still buffered', async () => {
        const alice = await lapis.services.users.get('alice');
        const contoso = await lapis.services.organizations.get('contoso');
        const newToken = (displayName: string) =>
          lapis.services.tokens.create({ user: alice, displayName, scope: 'vso.project', organizationId: contoso.id, days: 30 });
        const used = await newToken('nightly report');
        const unused = await newToken('spare');
        const call = async (address: string, agent: string) => {
          const response = await fetch(`${baseUrl}/contoso/_apis/projects?api-version=7.1`, {
            headers: { ...basic(used.text), 'x-forwarded-for': address, 'user-agent': agent },
          });
          expect(response.status).toBe(200);
        };
        await call('203.0.113.10', 'report-runner/1.4 (linux)');
        await lapis.services.tokenUsage.flush();
        // Still in the buffer when the page is drawn.
        await call('2001:db8::42', 'azure-devops-node-api');

        const { page, close } = await openPage(browser, baseUrl);
        try {
          await page.goto('/');
          await page.getByLabel('Username').fill('alice');
          await page.getByLabel('Password').fill('alice-password');
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.goto(`/contoso/_usersSettings/tokens/${used.token.id}/edit`);
          const trail = page.getByRole('table', { name: /this token was used from/ });
          await expect(trail.getByRole('row').allInnerTexts()).resolves.toEqual([
            expect.stringMatching(/Address\s+Client\s+First used\s+Last used/),
            expect.stringMatching(/2001:db8::42\s+azure-devops-node-api\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC/),
            expect.stringMatching(/203\.0\.113\.10\s+report-runner\/1\.4 \(linux\)/),
          ]);
          await expectAccessible(page, `token-usage-trail-${backend.name}`);

          await page.goto(`/contoso/_usersSettings/tokens/${unused.token.id}/edit`);
          await expect(page.getByText('This token has not been used yet.').isVisible()).resolves.toBe(true);
        } finally {
          await close();
        }
        // Chromium on a shared two-core machine: the default 30 s is not always enough.
      }, 120_000);
    },
  );
}
