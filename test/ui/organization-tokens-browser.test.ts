import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiStatus } from '../support/api-call.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, expectAccessible, launchChromium, openPage } from '../support/browser.js';

const [sqlite] = backends();
const page = '/contoso/_settings/tokens';

describe.skipIf(!chromiumAvailable)("an organization administrator sees and revokes members' tokens, in Chromium", () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let baseUrl: string;
  let browser: Browser;
  const texts: Record<string, string> = {};

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    const { services } = lapis;
    const alice = await services.users.add({ username: 'alice', password: 'alice-password' });
    const bob = await services.users.add({ username: 'bob', password: 'bob-password' });
    await services.users.add({ username: 'carol', password: 'carol-password' });
    await services.users.add({ username: 'root', password: 'root-password', isAdmin: true });
    const contoso = await services.organizations.add('contoso', 'alice');
    const fabrikam = await services.organizations.add('fabrikam', 'carol');
    await services.organizations.addMember('contoso', 'bob');
    await services.organizations.addMember('fabrikam', 'bob');
    const make = async (user: typeof alice, name: string, organizationId: string | null) =>
      (texts[name] = (await services.tokens.create({ user, displayName: name, scope: 'vso.build', organizationId })).text);
    await make(alice, 'alice ci', contoso.id);
    await make(bob, 'bob deploy', contoso.id);
    await make(bob, 'bob everywhere', null);
    await make(bob, 'bob fabrikam only', fabrikam.id);
    baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await lapis?.app.close();
    await sqlite!.cleanup();
  });

  async function signedIn(username: string) {
    const opened = await openPage(browser, baseUrl);
    await opened.page.goto('/');
    await opened.page.getByLabel('Username').fill(username);
    await opened.page.getByLabel('Password').fill(`${username}-password`);
    await opened.page.getByRole('button', { name: 'Sign in' }).click();
    await opened.page.waitForURL(`${baseUrl}/`);
    return opened;
  }

  it("lets the owner see every member's tokens that work in the organization and revoke one, which the API then refuses", async () => {
    const owner = await signedIn('alice');
    try {
      const response = await owner.page.goto(page);
      expect(response?.status()).toBe(200);
      const names = await owner.page.locator('tbody th[scope="row"]').allTextContents();
      expect(names.sort()).toEqual(['alice ci', 'bob deploy', 'bob everywhere']);
      await expectAccessible(owner.page, 'organization-tokens');

      expect(await apiStatus(baseUrl, 'contoso', texts['bob deploy']!)).toBe(200);
      await owner.page.getByRole('button', { name: 'Revoke bob deploy of bob' }).click();
      await owner.page.waitForURL(`${baseUrl}${page}?notice=revoked`);
      await expect(owner.page.getByRole('status').textContent()).resolves.toContain('The token was revoked.');
      const row = owner.page.locator('tbody tr', { has: owner.page.getByText('bob deploy') });
      await expect(row.getByText('Revoked').isVisible()).resolves.toBe(true);
      await expect(row.getByRole('button').count()).resolves.toBe(0);
      expect(await apiStatus(baseUrl, 'contoso', texts['bob deploy']!)).toBe(401);
      expect(await apiStatus(baseUrl, 'contoso', texts['bob everywhere']!)).toBe(200);
    } finally {
      await owner.close();
    }
  });

  it("searches and sorts members' tokens, and is linked from the owner's own tokens page and the admin's organization page", async () => {
    const owner = await signedIn('alice');
    const root = await signedIn('root');
    const member = await signedIn('bob');
    try {
      await owner.page.goto('/contoso/_usersSettings/tokens');
      await owner.page.getByRole('link', { name: "Every member's tokens in contoso" }).click();
      await owner.page.waitForURL(`${baseUrl}${page}`);

      await owner.page.getByLabel('Search by name').fill('BOB');
      await owner.page.getByRole('button', { name: 'Show' }).click();
      await owner.page.waitForURL(`${baseUrl}${page}?q=BOB&sort=created`);
      expect((await owner.page.locator('tbody th[scope="row"]').allTextContents()).sort()).toEqual([
        'bob deploy',
        'bob everywhere',
      ]);
      await expect(owner.page.getByLabel('Search by name').inputValue()).resolves.toBe('BOB');

      await owner.page.goto(`${page}?q=nothing-like-this`);
      await expect(owner.page.locator('.card').textContent()).resolves.toBe(
        "No member's token has a name containing “nothing-like-this”.",
      );

      // Only "alice ci" was used: sorted by last use, it comes first whatever the creation order.
      expect(await apiStatus(baseUrl, 'contoso', texts['alice ci']!)).toBe(200);
      await owner.page.goto(`${page}?sort=lastUsed`);
      expect((await owner.page.locator('tbody th[scope="row"]').allTextContents())[0]).toBe('alice ci');
      await expectAccessible(owner.page, 'organization-tokens-search');

      await root.page.goto('/_admin/organizations/contoso');
      await root.page.getByRole('link', { name: "Members' tokens" }).click();
      await root.page.waitForURL(`${baseUrl}${page}`);

      // A member who does not administer the organization gets no link to a page that would refuse them.
      await member.page.goto('/contoso/_usersSettings/tokens');
      await expect(member.page.getByRole('link', { name: /Every member's tokens/ }).count()).resolves.toBe(0);
    } finally {
      await owner.close();
      await root.close();
      await member.close();
    }
  });

  it('lets a server administrator in too, even without being a member', async () => {
    const root = await signedIn('root');
    try {
      expect((await root.page.goto(page))?.status()).toBe(200);
      await expect(root.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Personal access tokens in contoso');
    } finally {
      await root.close();
    }
  });

  it('refuses a member who does not own the organization (403), and a stranger as if it did not exist (404)', async () => {
    const member = await signedIn('bob');
    const stranger = await signedIn('carol');
    try {
      expect((await member.page.goto(page))?.status()).toBe(403);
      await expect(member.page.getByText('bob deploy').count()).resolves.toBe(0);
      expect((await stranger.page.goto(page))?.status()).toBe(404);
      expect((await stranger.page.goto('/nowhere/_settings/tokens'))?.status()).toBe(404);
    } finally {
      await member.close();
      await stranger.close();
    }
  });

  it('refuses a revoke posted by a member, and a revoke of a token that does not work in the organization', async () => {
    const member = await signedIn('bob');
    const owner = await signedIn('alice');
    try {
      const [aliceToken] = await lapis.services.tokens.list(await lapis.services.users.get('alice'));
      // A same-origin form post from the member's own signed-in page, CSRF token included: refused by role, not by CSRF.
      await member.page.goto('/contoso/_usersSettings/tokens');
      const forbidden = await member.page.evaluate(async (action) => {
        const csrf = document.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '';
        const body = new URLSearchParams({ _csrf: csrf });
        return (await fetch(action, { method: 'POST', body, redirect: 'manual' })).status;
      }, `${page}/${aliceToken!.id}/revoke`);
      expect(forbidden).toBe(403);
      expect(await apiStatus(baseUrl, 'contoso', texts['alice ci']!)).toBe(200);

      const [fabrikamOnly] = (await lapis.services.tokens.list(await lapis.services.users.get('bob'))).filter(
        (token) => token.displayName === 'bob fabrikam only',
      );
      await owner.page.goto(page);
      const notHere = await owner.page.evaluate(async (action) => {
        const csrf = document.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '';
        return (await fetch(action, { method: 'POST', body: new URLSearchParams({ _csrf: csrf }), redirect: 'manual' })).status;
      }, `${page}/${fabrikamOnly!.id}/revoke`);
      expect(notHere).toBe(404);
      expect(await apiStatus(baseUrl, 'fabrikam', texts['bob fabrikam only']!)).toBe(200);
    } finally {
      await member.close();
      await owner.close();
    }
  });
});
