import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, expectAccessible, launchChromium, openPage } from '../support/browser.js';
import { webhookReceiver } from '../support/webhook-receiver.js';

const [sqlite] = backends();

describe.skipIf(!chromiumAvailable)('the webhooks admin page in Chromium', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let baseUrl: string;
  let browser: Browser;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open(), {
      env: { LAPIS_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', LAPIS_WEBHOOK_INTERVAL_MS: '600000' },
    });
    await lapis.services.users.add({ username: 'alice', displayName: 'Alice Example', password: 'alice-password' });
    await lapis.services.users.add({ username: 'root', displayName: 'Root Admin', password: 'root-password', isAdmin: true });
    await lapis.services.organizations.add('contoso', 'alice');
    baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    receiver = await webhookReceiver();
  });
  afterAll(async () => {
    await browser?.close();
    await lapis?.app.close();
    await receiver?.close();
    await sqlite!.cleanup();
  });

  async function signedIn(username: string, password: string) {
    const opened = await openPage(browser, baseUrl);
    await opened.page.goto('/');
    await opened.page.getByLabel('Username').fill(username);
    await opened.page.getByLabel('Password').fill(password);
    await opened.page.getByRole('button', { name: 'Sign in' }).click();
    await opened.page.waitForURL(`${baseUrl}/`);
    return opened;
  }

  it('adds a webhook, shows its deliveries, switches leak revocation and removes it', { timeout: 120_000 }, async () => {
    const admin = await signedIn('root', 'root-password');
    try {
      const { page } = admin;
      await page.goto('/_admin/organizations/contoso');
      await page.getByRole('link', { name: 'Webhooks and leaked tokens' }).click();
      await expect(page.title()).resolves.toBe('Webhooks of contoso · Lapis');
      await expect(page.getByText('No webhooks yet.').count()).resolves.toBe(1);

      await page.getByLabel('Payload URL').fill(receiver.url);
      await page.getByLabel('Signing secret').fill('short');
      await page.getByRole('button', { name: 'Add webhook' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('A webhook secret must be 16 to 256');

      await page.getByLabel('Signing secret').fill('a long enough signing secret');
      await page.getByLabel('token.expiring').uncheck();
      await page.getByRole('button', { name: 'Add webhook' }).click();
      await expect(page.locator('table').first().locator('tbody tr').first().textContent()).resolves.toContain(
        'token.revoked, token.leaked',
      );

      const alice = await lapis.services.users.get('alice');
      const organization = await lapis.services.organizations.get('contoso');
      const created = await lapis.services.tokens.create({
        user: alice,
        displayName: 'ci',
        scope: 'vso.build',
        organizationId: organization.id,
        days: 30,
      });
      await lapis.services.tokens.revoke(created.token);
      receiver.answer(503);
      await lapis.services.webhooks.deliverDue();
      await page.reload();
      const delivery = page.locator('table').nth(1).locator('tbody tr').first();
      await expect(delivery.textContent()).resolves.toContain('Pending: the receiver answered 503');
      await expectAccessible(page, 'admin-webhooks');
      for (const width of [390, 1366]) {
        await page.setViewportSize({ width, height: 900 });
        await page.screenshot({ path: `/tmp/lapis-webhooks-${width}.png`, fullPage: true });
        // The page's own content: wide tables scroll inside their wrapper instead of widening the page.
        const overflow = await page.evaluate(() => {
          const main = document.querySelector('main');
          return main ? main.scrollWidth - main.clientWidth : Number.NaN;
        });
        expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(0);
      }

      await expect(page.getByText('are revoked at once and reported').count()).resolves.toBe(1);
      await page.getByRole('button', { name: 'Report leaked tokens without revoking them' }).click();
      await expect(page.getByText('are reported only, not revoked').count()).resolves.toBe(1);
      await expect(lapis.services.leaks.autoRevokeSetting(organization.id)).resolves.toBe(false);

      await page.getByRole('button', { name: /^Remove http/ }).click();
      await expect(page.getByText('No webhooks yet.').count()).resolves.toBe(1);
    } finally {
      await admin.close();
    }
  });

  it('keeps the page from anyone who is not an administrator', async () => {
    const member = await signedIn('alice', 'alice-password');
    try {
      const response = await member.page.goto('/_admin/organizations/contoso/webhooks');
      expect(response?.status()).toBe(403);
    } finally {
      await member.close();
    }
  });
});
