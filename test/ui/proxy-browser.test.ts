import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, launchChromium, openPage, screenshot } from '../support/browser.js';
import { freePort, nginxAvailable, type ReverseProxy, startReverseProxy } from '../support/nginx.js';

const [sqlite] = backends();

describe.skipIf(!chromiumAvailable || !nginxAvailable)('Lapis under /lapis behind a real nginx', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let proxy: ReverseProxy;
  let browser: Browser;
  let publicUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}/lapis`;
    lapis = await testApp(await sqlite!.open(), { env: { LAPIS_PUBLIC_URL: publicUrl, LAPIS_TRUST_PROXY: 'true' } });
    await lapis.services.users.add({ username: 'alice', displayName: 'Alice Example', password: 'alice-password' });
    await lapis.services.organizations.add('contoso', 'alice');
    await lapis.services.projects.add((await lapis.services.organizations.get('contoso')).id, { name: 'web' });
    const upstream = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    proxy = await startReverseProxy({ port, prefix: '/lapis', upstream });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
    await lapis?.app.close();
    await sqlite!.cleanup();
  });

  it('signs in, opens the styled tokens page and creates a token, every request under the prefix', {
    timeout: 120_000,
  }, async () => {
    const { page, close } = await openPage(browser, proxy.url);
    page.setDefaultTimeout(15_000);
    const requested: { url: string; status: number }[] = [];
    page.on('response', (response) => requested.push({ url: response.url(), status: response.status() }));
    try {
      await page.goto(`${proxy.url}/contoso/_usersSettings/tokens`);
      expect(new URL(page.url()).pathname).toBe('/lapis/_signin');
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('alice-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.title()).resolves.toBe('Personal access tokens · Lapis');
      expect(new URL(page.url()).pathname).toBe('/lapis/contoso/_usersSettings/tokens');
      await page.waitForLoadState('load');
      const cookies = await page.context().cookies();
      expect(cookies.map((cookie) => [cookie.name, cookie.path])).toEqual([['lapis_session', '/lapis']]);
      // The stylesheet arrived and applies: the body no longer has the browser's default 8px margin.
      await expect(page.evaluate(() => getComputedStyle(document.body).margin)).resolves.not.toBe('8px');
      expect(requested.some((r) => r.url === `${proxy.url}/_static/lapis.css` && r.status === 200)).toBe(true);

      await page.getByRole('link', { name: 'New token' }).click();
      await page.getByLabel('Name').fill('through the proxy');
      await page.getByRole('group', { name: 'Project and Team' }).getByLabel('Read', { exact: true }).check();
      await page.getByRole('button', { name: 'Create' }).click();
      const token = await page.getByLabel(/^Personal access token/).inputValue();
      expect(token).toMatch(/^.{76}AZDO.{4}$/);
      await screenshot(page, 'proxy-token-created');

      await page.goto(`${proxy.url}/contoso/_usersSettings/tokens`);
      await expect(page.getByRole('cell', { name: 'through the proxy' }).count()).resolves.toBe(1);

      expect(requested.length).toBeGreaterThan(5);
      for (const response of requested) {
        expect(response.url.startsWith(`${proxy.url}/`), response.url).toBe(true);
        expect(response.status, response.url).toBeLessThan(400);
      }

      // The API through the proxy, as curl sends it: the token works and emitted URLs carry the prefix.
      // Asynchronously: the server answering through nginx runs in this process.
      const { stdout: projects } = await promisify(execFile)(
        'curl',
        [
          '-s',
          '-f',
          '-u',
          `:${token}`,
          '-H',
          'X-TFS-FedAuthRedirect: Suppress',
          `${proxy.url}/contoso/_apis/projects?api-version=7.1`,
        ],
        { encoding: 'utf8' },
      );
      const listed = JSON.parse(projects) as { value: { name: string; url: string }[] };
      expect(listed.value.map((project) => project.name)).toEqual(['web']);
      expect(listed.value[0]?.url.startsWith(`${publicUrl}/contoso/_apis/projects/`)).toBe(true);
    } finally {
      await close();
    }
  });

  it('redirects and links to paths under the prefix', async () => {
    const response = await fetch(`${proxy.url}/contoso/_usersSettings/tokens`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/lapis\/_signin\?returnUrl=/);
    const signIn = await fetch(`${proxy.url}/_signin`);
    const html = await signIn.text();
    expect(html).toContain('href="/lapis/_static/lapis.css"');
    expect(html).not.toMatch(/\s(href|src|action)="\/(?!lapis\/)/);
  });
});
