import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, expectAccessible, launchChromium, openPage } from '../support/browser.js';

const [sqlite] = backends();

describe.skipIf(!chromiumAvailable)('account pages in Chromium: sessions and passwords', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    await lapis.services.users.add({ username: 'alice', displayName: 'Alice Example', password: 'alice-password' });
    await lapis.services.users.add({ username: 'root', displayName: 'Root Admin', password: 'root-password', isAdmin: true });
    baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await lapis?.app.close();
    await sqlite!.cleanup();
  });

  async function signedInPage(username: string, password: string) {
    const opened = await openPage(browser, baseUrl);
    await opened.page.goto('/');
    await opened.page.getByLabel('Username').fill(username);
    await opened.page.getByLabel('Password').fill(password);
    await opened.page.getByRole('button', { name: 'Sign in' }).click();
    await opened.page.waitForURL(`${baseUrl}/`);
    return opened;
  }

  it('lists the sessions, ends another one, and that browser is signed out', async () => {
    const laptop = await signedInPage('alice', 'alice-password');
    const phone = await signedInPage('alice', 'alice-password');
    try {
      await laptop.page.getByRole('link', { name: 'Account' }).click();
      await expect(laptop.page.title()).resolves.toBe('Your sessions · Lapis');
      await expect(laptop.page.locator('tbody tr').count()).resolves.toBe(2);
      await expect(laptop.page.getByText('This session').count()).resolves.toBe(1);
      await expectAccessible(laptop.page, 'sessions');
      await laptop.page.screenshot({ path: '/tmp/lapis-sessions.png', fullPage: true });

      await laptop.page.getByRole('button', { name: /^End session from/ }).click();
      await expect(laptop.page.getByRole('status').textContent()).resolves.toContain('1 session ended.');
      await expect(laptop.page.locator('tbody tr').count()).resolves.toBe(1);

      await phone.page.reload();
      await expect(phone.page.title()).resolves.toBe('Sign in · Lapis');
    } finally {
      await laptop.close();
      await phone.close();
    }
  });

  it('changes the password with the current one, and the other browser is signed out', async () => {
    const mine = await signedInPage('alice', 'alice-password');
    const other = await signedInPage('alice', 'alice-password');
    try {
      await mine.page.goto('/_usersSettings/password');
      await expectAccessible(mine.page, 'change-password');
      await mine.page.getByLabel('Current password').fill('not the password');
      await mine.page.getByLabel('New password', { exact: true }).fill('a fresh passphrase here');
      await mine.page.getByLabel('Repeat the new password').fill('a fresh passphrase here');
      await mine.page.getByRole('button', { name: 'Change password' }).click();
      await expect(mine.page.getByRole('alert').textContent()).resolves.toContain('The current password is incorrect.');
      await expectAccessible(mine.page, 'change-password-refused');

      await mine.page.getByLabel('Current password').fill('alice-password');
      await mine.page.getByLabel('New password', { exact: true }).fill('a fresh passphrase here');
      await mine.page.getByLabel('Repeat the new password').fill('a fresh passphrase here');
      await mine.page.getByRole('button', { name: 'Change password' }).click();
      await expect(mine.page.getByRole('status').textContent()).resolves.toContain('Your password was changed.');
      await mine.page.screenshot({ path: '/tmp/lapis-password-changed.png', fullPage: true });

      await other.page.reload();
      await expect(other.page.title()).resolves.toBe('Sign in · Lapis');
      await mine.page.goto('/');
      await expect(mine.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome, Alice Example');
    } finally {
      await mine.close();
      await other.close();
    }
  });

  it('lets an administrator reset a password from the users page', async () => {
    const admin = await signedInPage('root', 'root-password');
    try {
      await admin.page.goto('/_admin/users');
      await admin.page.screenshot({ path: '/tmp/lapis-admin-users.png', fullPage: true });
      await admin.page.getByRole('link', { name: 'Reset password of alice' }).click();
      await expectAccessible(admin.page, 'admin-reset-password');
      await admin.page.getByLabel('New password').fill('set by the administrator');
      await admin.page.getByRole('button', { name: 'Reset password' }).click();
      await expect(admin.page.title()).resolves.toBe('Users · Lapis');
      expect(
        (
          await lapis.services.signIn.signIn({
            username: 'alice',
            password: 'set by the administrator',
            clientAddress: '10.0.0.1',
          })
        ).outcome,
      ).toBe('signedIn');
    } finally {
      await admin.close();
    }
  });
});
