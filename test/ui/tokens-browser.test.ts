import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../src/domain/entities.js';
import { apiStatus } from '../support/api-call.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, expectAccessible, launchChromium, openPage, screenshot, signInAsAlice } from '../support/browser.js';
import { dayMs, movableClock } from '../support/clock.js';

const [sqlite] = backends();

describe.skipIf(!chromiumAvailable)('personal access token pages in Chromium', () => {
  const now = new Date().toISOString();
  // Stands still at the real time: sessions stay valid, and a test can step back to make a token that has expired.
  const clock = movableClock(now);
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let alice: User;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open(), { clock });
    alice = await lapis.services.users.add({ username: 'alice', displayName: 'Alice Example', password: 'alice-password' });
    await lapis.services.users.add({ username: 'bob', password: 'bob-password' });
    await lapis.services.organizations.add('contoso', 'alice');
    await lapis.services.organizations.add('fabrikam', 'alice');
    await lapis.services.organizations.add('tailspin', 'bob');
    baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await lapis?.app.close();
    await sqlite!.cleanup();
  });

  beforeEach(async () => {
    const opened = await openPage(browser, baseUrl, ['clipboard-read', 'clipboard-write']);
    page = opened.page;
    return opened.close;
  });

  async function shownToken(): Promise<string> {
    const text = await page.getByLabel(/^Personal access token/).inputValue();
    expect(text).toMatch(/^.{76}AZDO.{4}$/);
    return text;
  }

  it('creates a token with custom scopes, calls the API with it, regenerates and revokes it', async () => {
    await signInAsAlice(page);
    await page.getByRole('link', { name: 'Personal access tokens for contoso' }).click();
    await expect(page.title()).resolves.toBe('Personal access tokens · Lapis');
    await expectAccessible(page, 'tokens-empty');

    await page.getByRole('link', { name: 'New token' }).click();
    await expect(page.getByLabel('Organization').inputValue()).resolves.toBe(
      (await lapis.services.organizations.get('contoso')).id,
    );
    await expectAccessible(page, 'token-new');
    await page.getByLabel('Search scopes').fill('build');
    await expect(page.getByRole('group', { name: 'Build' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('group', { name: 'Code' }).isVisible()).resolves.toBe(false);
    await expect(page.getByRole('status').filter({ hasText: 'match' }).textContent()).resolves.toBe('2 scopes match.');
    await screenshot(page, 'token-new-filtered');
    await page.getByLabel('Search scopes').fill('');
    await expect(page.getByRole('group', { name: 'Code' }).isVisible()).resolves.toBe(true);

    await page.getByLabel('Name').fill('build bot');
    await page.getByRole('group', { name: 'Build' }).getByLabel('Read and execute').check();
    await page.getByRole('group', { name: 'Project and Team' }).getByLabel('Read', { exact: true }).check();
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Token created');
    const first = await shownToken();
    await expectAccessible(page, 'token-created');

    await page.getByRole('button', { name: 'Copy token' }).click();
    // The copy is asynchronous: wait for the message instead of sampling visibility right after the click.
    await page.getByText('Copied to the clipboard.').waitFor({ state: 'visible' });
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(first);
    expect(await apiStatus(baseUrl, 'contoso', first)).toBe(200);

    await page.getByRole('link', { name: 'Back to personal access tokens' }).click();
    const row = page.getByRole('row', { name: /build bot/ });
    await expect(row.getByRole('cell', { name: 'Build (read and execute), Project and team (read)' }).count()).resolves.toBe(1);
    await expect(page.content()).resolves.not.toContain(first);
    await expectAccessible(page, 'tokens-list');

    await page.getByRole('link', { name: 'Edit build bot' }).click();
    await expect(page.getByRole('group', { name: 'Build' }).getByLabel('Read and execute').isChecked()).resolves.toBe(true);
    await expectAccessible(page, 'token-edit');
    await page.getByRole('link', { name: 'Regenerate' }).click();
    await expectAccessible(page, 'token-regenerate-confirm');
    await page.getByRole('button', { name: 'Regenerate token' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Token regenerated');
    const second = await shownToken();
    expect(second).not.toBe(first);
    await expectAccessible(page, 'token-regenerated');
    expect(await apiStatus(baseUrl, 'contoso', first)).toBe(401);
    expect(await apiStatus(baseUrl, 'contoso', second)).toBe(200);

    await page.getByRole('link', { name: 'Back to personal access tokens' }).click();
    await page.getByRole('link', { name: 'Revoke build bot' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Revoke token “build bot”?');
    await expectAccessible(page, 'token-revoke-confirm');
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('The token was revoked.');
    await expectAccessible(page, 'tokens-after-revoke');
    expect(await apiStatus(baseUrl, 'contoso', second)).toBe(401);
  });

  it('shows a token that has expired as expired', async () => {
    clock.set(new Date(Date.parse(now) - 10 * dayMs).toISOString());
    await lapis.services.tokens.create({
      user: alice,
      displayName: 'last month',
      scope: 'vso.build',
      organizationId: null,
      days: 3,
    });
    clock.set(now);
    await signInAsAlice(page);
    await page.goto('/contoso/_usersSettings/tokens');
    await page.getByRole('link', { name: /^Expired/ }).click();
    const row = page.getByRole('row', { name: /last month/ });
    await expect(row.getByText('Expired', { exact: true }).count()).resolves.toBe(1);
    await expect(row.getByRole('cell', { name: 'All accessible organizations' }).count()).resolves.toBe(1);
    await expectAccessible(page, 'tokens-expired');
  });

  it('re-renders the form with the message, and refuses a forged CSRF token', async () => {
    await signInAsAlice(page);
    await page.goto('/contoso/_usersSettings/tokens/new');
    await page.getByLabel('Name').fill('no date');
    await page.getByLabel('Custom date').check();
    await page.getByLabel('Full access').check();
    await expect(page.getByRole('group', { name: 'Custom scopes' }).isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Enter the custom expiry date as a date');
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('no date');
    await expectAccessible(page, 'token-new-error');

    await page.locator('form.token-form input[name="_csrf"]').evaluate((input) => {
      (input as HTMLInputElement).value = 'forged-token';
    });
    await page.getByLabel('30 days').check();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/tokens/new') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Create' }).click(),
    ]);
    expect(response.status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Form expired');
    expect((await lapis.services.tokens.list(alice)).map((t) => t.displayName)).not.toContain('no date');
  });

  it('shows a friendly page for an organization the user does not belong to', async () => {
    await signInAsAlice(page);
    const response = await page.goto('/tailspin/_usersSettings/tokens');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Organization not found');
    await expectAccessible(page, 'tokens-not-member');
  });

  it('reads well on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await lapis.services.tokens.create({
      user: alice,
      displayName: 'phone check',
      scope: 'vso.build vso.code_write vso.project',
      organizationId: null,
    });
    await signInAsAlice(page);
    await page.goto('/contoso/_usersSettings/tokens');
    await expectAccessible(page, 'phone-tokens');
    await page.getByRole('link', { name: 'New token' }).click();
    await expectAccessible(page, 'phone-token-new');
    await page.getByLabel('Name').fill('phone');
    await page.getByLabel('Full access').check();
    await page.getByRole('button', { name: 'Create' }).click();
    await shownToken();
    await expectAccessible(page, 'phone-token-created');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
