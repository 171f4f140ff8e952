import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, expectAccessible, launchChromium, openPage } from '../support/browser.js';
import { dayMs, movableClock } from '../support/clock.js';

const [sqlite] = backends();

describe.skipIf(!chromiumAvailable)('the tokens list: search, sort and the expiring-soon mark, in Chromium', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const store = await sqlite!.open();
    // Tokens made in one millisecond would tie on creation time: the clock moves a second between them.
    const clock = movableClock(new Date().toISOString());
    lapis = await testApp(store, { clock });
    const { services } = lapis;
    const alice = await services.users.add({ username: 'alice', password: 'alice-password' });
    const contoso = await services.organizations.add('contoso', 'alice');
    const now = Date.now();
    // Created oldest first, so the default order (newest first) is the reverse of this list.
    const tokens = [
      { name: 'deploy production', days: 3, usedAgo: 2 * dayMs },
      { name: 'nightly build', days: 60, usedAgo: 60 * 60 * 1000 },
      { name: 'Deploy staging', days: 30, usedAgo: null },
      { name: 'release notes', days: 8, usedAgo: 5 * dayMs },
    ];
    for (const token of tokens) {
      const created = await services.tokens.create({
        user: alice,
        displayName: token.name,
        scope: 'vso.build',
        organizationId: contoso.id,
        days: token.days,
      });
      if (token.usedAgo !== null) await store.tokens.setLastUsed(created.token.id, new Date(now - token.usedAgo).toISOString());
      clock.advance(1000);
    }
    const revoked = await services.tokens.create({
      user: alice,
      displayName: 'deploy old',
      scope: 'vso.build',
      organizationId: null,
      days: 2,
    });
    await services.tokens.revoke(revoked.token);
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
    await page.goto('/');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('alice-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${baseUrl}/`);
    await page.goto('/contoso/_usersSettings/tokens');
    return opened.close;
  });

  const names = () => page.locator('tbody th[scope="row"]').allTextContents();

  it('lists newest first, finds tokens by part of their name in any case, and keeps the search across filters', async () => {
    await expect(names()).resolves.toEqual(['release notes', 'Deploy staging', 'nightly build', 'deploy production']);
    await page.getByLabel('Search by name').fill('DEPLOY');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(names()).resolves.toEqual(['Deploy staging', 'deploy production']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('DEPLOY');
    await expectAccessible(page, 'tokens-search');

    await page.getByRole('link', { name: /^All/ }).click();
    await expect(names()).resolves.toEqual(['deploy old', 'Deploy staging', 'deploy production']);
    await expect(page.getByLabel('Search by name').inputValue()).resolves.toBe('DEPLOY');

    await page.getByLabel('Search by name').fill('no such token');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(names()).resolves.toEqual([]);
    await expect(page.getByText('No token has a name containing “no such token”.').isVisible()).resolves.toBe(true);
  });

  it('sorts by expiry, soonest first, and by last use, most recent first with never-used tokens last', async () => {
    await page.getByLabel('Sort by').selectOption({ label: 'Expiry, soonest first' });
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(names()).resolves.toEqual(['deploy production', 'release notes', 'Deploy staging', 'nightly build']);
    await page.getByLabel('Sort by').selectOption({ label: 'Last use, most recent first' });
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(names()).resolves.toEqual(['nightly build', 'deploy production', 'release notes', 'Deploy staging']);
    await expect(page.getByLabel('Sort by').inputValue()).resolves.toBe('lastUsed');
  });

  it('marks the active tokens that expire within 7 days, and only those', async () => {
    const marked = page.locator('tbody tr', { has: page.getByText('Expires soon') }).locator('th[scope="row"]');
    await expect(marked.allTextContents()).resolves.toEqual(['deploy production']);
    await page.getByRole('link', { name: /^Revoked/ }).click();
    await expect(names()).resolves.toEqual(['deploy old']);
    await expect(page.getByText('Expires soon').count()).resolves.toBe(0);
  });

  it('ignores an unknown sort and answers an overlong search without error', async () => {
    const unknown = await page.goto('/contoso/_usersSettings/tokens?sort=password&q=');
    expect(unknown?.status()).toBe(200);
    await expect(names()).resolves.toEqual(['release notes', 'Deploy staging', 'nightly build', 'deploy production']);
    const long = await page.goto(`/contoso/_usersSettings/tokens?q=${'x'.repeat(5000)}`);
    expect(long?.status()).toBe(200);
    await expect(page.getByLabel('Search by name').inputValue()).resolves.toHaveLength(256);
  });
});
