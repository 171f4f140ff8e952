import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, launchChromium, screenshot } from '../support/browser.js';
import { authorizeCode, registerTestApp } from '../support/oauth.js';

const [sqlite] = backends();

/** A phone and a laptop, the two widths issue 14 names. */
const widths = [390, 1366] as const;

/** Every page with a table, reached as its user does; each row carries long, unbreakable values. */
const tablePages = [
  ['tokens', '/contoso/_usersSettings/tokens?status=all'],
  ['organization-tokens', '/contoso/_settings/tokens'],
  ['sessions', '/_usersSettings/sessions'],
  ['authorizations', '/_usersSettings/authorizations'],
  ['apps', '/app'],
  ['admin-users', '/_admin/users'],
  ['admin-organizations', '/_admin/organizations'],
  ['admin-members', '/_admin/organizations/contoso'],
] as const;

interface Layout {
  viewport: number;
  pageWidth: number;
  rows: number;
  /** Row controls (links and buttons in an action cell) whose box leaves the viewport, by text. */
  outside: string[];
  /** Row controls found, so a page that lost its actions cannot pass. */
  controls: number;
}

/** Measures in the page: how wide the document is, and where each row's action controls are drawn. */
function measure(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const viewport = document.documentElement.clientWidth;
    const controls = [...document.querySelectorAll('tbody td.actions a, tbody td.actions button')];
    const outside = controls
      .filter((control) => {
        const box = control.getBoundingClientRect();
        // A control scrolled away inside a sideways-scrolling table is as hidden as one beyond the window.
        let clip = { left: 0, right: viewport };
        for (let parent = control.parentElement; parent; parent = parent.parentElement) {
          if (getComputedStyle(parent).overflowX !== 'visible') {
            const bounds = parent.getBoundingClientRect();
            clip = { left: Math.max(clip.left, bounds.left), right: Math.min(clip.right, bounds.right) };
          }
        }
        return box.width === 0 || box.left < clip.left - 0.5 || box.right > clip.right + 0.5;
      })
      .map((control) => (control.textContent ?? '').trim());
    return {
      viewport,
      pageWidth: document.documentElement.scrollWidth,
      rows: document.querySelectorAll('tbody tr').length,
      outside,
      controls: controls.length,
    };
  });
}

describe.skipIf(!chromiumAvailable)('every table at 390 px and 1366 px in Chromium', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    const { services } = lapis;
    const alice = await services.users.add({
      username: 'alice',
      displayName: 'Alice Longname-Withoutanyspaces-Whatsoever',
      email: 'alice.with.a.very.long.address@subdomain.example-organization.test',
      password: 'alice-password',
      isAdmin: true,
    });
    await services.users.add({ username: 'bob-the-build-engineer-of-contoso', password: 'bob-password' });
    const contoso = await services.organizations.add('contoso', 'alice');
    await services.organizations.addMember('contoso', 'bob-the-build-engineer-of-contoso');
    const bob = (await services.users.list()).find((user) => user.username.startsWith('bob'))!;
    for (const [user, name] of [
      [alice, 'deployment-pipeline-token-for-the-production-environment-west-europe'],
      [alice, 'short'],
      [bob, 'nightly build agent pool registration token for the fabrikam mirror'],
    ] as const) {
      const { token } = await services.tokens.create({
        user,
        displayName: name,
        scope: 'vso.build_execute vso.code_write vso.project_manage vso.work_write vso.packaging_manage',
        organizationId: contoso.id,
        days: 5,
      });
      // A token in its grace window carries the widest status: two badges and the minute it stops.
      if (user === bob || name === 'short') await services.tokenRotations.rotate({ token, user, graceSeconds: 86_400 });
    }
    const { app } = await registerTestApp(services, alice);
    await authorizeCode(services, alice, { clientId: app.id, scope: 'vso.build vso.project' });
    baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await lapis?.app.close();
    await sqlite!.cleanup();
  });

  it.each(widths)(
    'at %i px no table widens the page and every row action stays on screen',
    async (width) => {
      // Two sign-ins, so the sessions page has a row with an action (the other session) besides this one.
      const other = await signedIn(width);
      await other.close();
      const context = await signedIn(width);
      const page = context.pages()[0]!;
      const layouts: Record<string, Layout & { status: number }> = {};
      for (const [name, path] of tablePages) {
        const response = await page.goto(path);
        await screenshot(page, `table-${name}-${width}`);
        layouts[name] = { status: response?.status() ?? 0, ...(await measure(page)) };
      }
      await context.close();
      for (const [name, path] of tablePages) {
        const layout = layouts[name]!;
        expect(layout.status, path).toBe(200);
        expect(layout.rows, path).toBeGreaterThan(0);
        expect(layout.viewport, path).toBeLessThanOrEqual(width);
        if (name !== 'admin-organizations' && name !== 'apps') expect(layout.controls, path).toBeGreaterThan(0);
      }
      // No page scrolls sideways as a whole, and every row action is visible without scrolling.
      const measured = tablePages.map(([name]) => ({
        name,
        pageWidth: layouts[name]!.pageWidth,
        outside: layouts[name]!.outside,
      }));
      expect(measured).toEqual(tablePages.map(([name]) => ({ name, pageWidth: layouts[name]!.viewport, outside: [] })));
    },
    180_000,
  );

  async function signedIn(width: number) {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('alice-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${baseUrl}/`);
    return context;
  }
});
