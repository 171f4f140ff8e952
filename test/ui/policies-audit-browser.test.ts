import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, expectAccessible, launchChromium, openPage, signInAsAlice } from '../support/browser.js';

const [sqlite] = backends();

describe.skipIf(!chromiumAvailable)('token policy and audit log pages in Chromium', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    await lapis.services.users.add({
      username: 'alice',
      displayName: 'Alice Example',
      password: 'alice-password',
      isAdmin: true,
    });
    await lapis.services.users.add({ username: 'bob', password: 'bob-password' });
    await lapis.services.organizations.add('contoso', 'alice');
    baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await lapis?.app.close();
    await sqlite!.cleanup();
  });

  beforeEach(async () => {
    const opened = await openPage(browser, baseUrl);
    page = opened.page;
    return opened.close;
  });

  async function createFullAccessToken(name: string) {
    await page.goto('/contoso/_usersSettings/tokens/new');
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Full access').check();
    await page.getByRole('button', { name: 'Create' }).click();
  }

  it('sets a policy, lists the tokens that break it, warns on the tokens page, refuses under enforce, and audits it all', async () => {
    await signInAsAlice(page);
    await createFullAccessToken('everything');
    await expect(page.getByLabel(/^Personal access token/).inputValue()).resolves.toMatch(/AZDO/);

    await page.goto('/_admin/organizations/contoso');
    await page.getByRole('link', { name: 'Token policies' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Token policies of contoso');
    const fullScope = page.getByRole('region', { name: 'Full-scope tokens restricted' });
    await fullScope.getByLabel('Mode').selectOption('warn');
    await fullScope.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Policy saved.');
    await expect(page.getByRole('table').textContent()).resolves.toContain('everything');
    await expectAccessible(page, 'admin-policies');

    await page.goto('/contoso/_usersSettings/tokens');
    const banner = page.getByRole('status').filter({ hasText: 'token policy' });
    await expect(banner.textContent()).resolves.toMatch(/everything.*restricts full-access/);
    await expectAccessible(page, 'tokens-policy-banner');

    await page.goto('/_admin/organizations/contoso/policies');
    await fullScope.getByLabel('Mode').selectOption('enforce');
    await fullScope.getByRole('button', { name: 'Save' }).click();
    await createFullAccessToken('another');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('restricts full-access');
    await expectAccessible(page, 'token-new-policy-refused');

    const lifespan = page.getByRole('region', { name: 'Maximum token lifespan' });
    await page.goto('/_admin/organizations/contoso/policies');
    await lifespan.getByLabel('Mode').selectOption('enforce');
    await lifespan.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('whole number of days from 1');

    await page.goto('/_admin/organizations/contoso');
    await page.getByLabel('Username').fill('bob');
    await page.getByRole('button', { name: 'Add member' }).click();

    await page.getByRole('link', { name: 'Audit log' }).click();
    const log = page.getByRole('table');
    await expect(log.textContent()).resolves.toContain('organization.memberAdded');
    await expect(log.textContent()).resolves.toContain('policy.violation');
    await expect(log.textContent()).resolves.toContain('token.created');
    await expectAccessible(page, 'admin-audit');
    await page.getByLabel('Action').selectOption('policy.violation');
    await page.getByRole('button', { name: 'Filter' }).click();
    const rows = await log.locator('tbody tr').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.includes('policy.violation'))).toBe(true);
    expect(rows.some((row) => row.includes('the change was refused'))).toBe(true);
    await expectAccessible(page, 'admin-audit-filtered');
    // A browser on a shared, loaded machine: this bounds the wait, it asserts no speed.
  }, 240_000);
});
