import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, expectAccessible, launchChromium, openPage } from '../support/browser.js';

const [sqlite] = backends();

describe.skipIf(!chromiumAvailable)('web UI in Chromium', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    await lapis.services.users.add({ username: 'root', displayName: 'Root Admin', password: 'root-password', isAdmin: true });
    await lapis.services.users.add({ username: 'alice', displayName: 'Alice Example', password: 'alice-password' });
    await lapis.services.organizations.add('contoso', 'alice');
    await lapis.services.organizations.add('fabrikam', 'root');
    await lapis.services.organizations.addMember('fabrikam', 'alice');
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

  async function signIn(username: string, password: string) {
    await page.goto('/');
    await expect(page.title()).resolves.toBe('Sign in · Lapis');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs in through the form, comes back to the home page and signs out', async () => {
    await page.goto('/');
    await expectAccessible(page, 'sign-in');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Incorrect username or password.');
    await expectAccessible(page, 'sign-in-refused');

    await signIn('alice', 'alice-password');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome, Alice Example');
    const links = await page
      .getByRole('link', { name: /Personal access tokens/ })
      .evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['/contoso/_usersSettings/tokens', '/fabrikam/_usersSettings/tokens']);
    await expectAccessible(page, 'home');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.title()).resolves.toBe('Sign in · Lapis');
  });

  it('lets an administrator add a user and manage an organization through the forms', async () => {
    await signIn('root', 'root-password');
    await page.getByRole('link', { name: 'Manage users' }).click();
    await expect(page.title()).resolves.toBe('Users · Lapis');
    await page.getByLabel('Username').fill('dave');
    await page.getByLabel('Display name').fill('Dave <b>Bold</b>');
    await page.getByLabel('Email').fill('dave@example.com');
    await page.getByLabel('Password').fill('dave-password');
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect(page.getByRole('cell', { name: 'Dave <b>Bold</b>' }).count()).resolves.toBe(1);
    await expectAccessible(page, 'admin-users');

    await page.getByLabel('Username').fill('dave');
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('User "dave" already exists.');
    await expectAccessible(page, 'admin-users-error');

    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Organizations' }).click();
    await expectAccessible(page, 'admin-organizations');
    await page.getByRole('link', { name: 'fabrikam' }).click();
    await page.getByLabel('Username').fill('dave');
    await page.getByRole('button', { name: 'Add member' }).click();
    await expect(page.getByRole('rowheader', { name: 'dave', exact: true }).count()).resolves.toBe(1);
    await expectAccessible(page, 'admin-organization');
    await page.getByRole('button', { name: 'Remove dave' }).click();
    await expect(page.getByRole('rowheader', { name: 'dave', exact: true }).count()).resolves.toBe(0);
  });

  it('reads well on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn('root', 'root-password');
    await page.goto('/_admin/users');
    await expectAccessible(page, 'phone-admin-users');
  });

  it('shows a non-administrator the 403 page', async () => {
    await signIn('alice', 'alice-password');
    const response = await page.goto('/_admin/users');
    expect(response?.status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Access denied');
    await expectAccessible(page, 'forbidden');
    const missing = await page.goto('/_static/nothing.js');
    expect(missing?.status()).toBe(404);
    await expectAccessible(page, 'not-found');
  });

  it('refuses a form whose CSRF token was tampered with', async () => {
    await signIn('root', 'root-password');
    await page.goto('/_admin/users');
    await page.locator('form[action="/_admin/users"] input[name="_csrf"]').evaluate((input) => {
      (input as HTMLInputElement).value = 'forged-token';
    });
    await page.getByLabel('Username').fill('mallory');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/_admin/users') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Add user' }).click(),
    ]);
    expect(response.status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Form expired');
    await expectAccessible(page, 'csrf-refused');
    expect((await lapis.services.users.list()).map((u) => u.username)).not.toContain('mallory');
  });
});
