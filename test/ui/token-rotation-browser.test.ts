import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../src/domain/entities.js';
import { apiStatus } from '../support/api-call.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { chromiumAvailable, expectAccessible, launchChromium, openPage, screenshot, signInAsAlice } from '../support/browser.js';
import { dayMs, movableClock } from '../support/clock.js';

for (const backend of backends()) {
  describe.skipIf(!chromiumAvailable || !backend.available)(
    `regenerate with a grace window in Chromium on ${backend.name}`,
    () => {
      // Stands still at the real time unless a test moves it, so the session stays valid.
      const clock = movableClock(new Date().toISOString());
      let lapis: Awaited<ReturnType<typeof testApp>>;
      let alice: User;
      let baseUrl: string;
      let browser: Browser;
      let page: Page;

      beforeAll(async () => {
        lapis = await testApp(await backend.open(), { clock });
        alice = await lapis.services.users.add({ username: 'alice', displayName: 'Alice Example', password: 'alice-password' });
        await lapis.services.organizations.add('contoso', 'alice');
        baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
        browser = await launchChromium();
      });
      afterAll(async () => {
        await browser?.close();
        await lapis?.app.close();
        await backend.cleanup();
      });

      beforeEach(async () => {
        const opened = await openPage(browser, baseUrl);
        page = opened.page;
        return opened.close;
      });

      async function token(name: string) {
        return lapis.services.tokens.create({
          user: alice,
          displayName: name,
          scope: 'vso.build',
          organizationId: (await lapis.services.organizations.get('contoso')).id,
          days: 30,
        });
      }

      it('offers now or a grace window; with a day, both secrets work until it ends', async () => {
        const old = await token('deploy bot');
        await signInAsAlice(page);
        await page.goto('/contoso/_usersSettings/tokens');
        await page.getByRole('link', { name: 'Edit deploy bot' }).click();
        await page.getByRole('link', { name: 'Regenerate' }).click();
        const choice = page.getByRole('group', { name: 'When should the current secret stop working?' });
        await expect(choice.getByLabel(/^Now/).isChecked()).resolves.toBe(true);
        await page.setViewportSize({ width: 390, height: 844 });
        await expectAccessible(page, 'token-regenerate-grace-390');
        await page.setViewportSize({ width: 1366, height: 900 });
        await expectAccessible(page, 'token-regenerate-grace-1366');

        await choice.getByLabel('In 1 day').check();
        await page.getByRole('button', { name: 'Regenerate token' }).click();
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Token regenerated');
        const successor = await page.getByLabel(/^Personal access token/).inputValue();
        expect(successor).toMatch(/^.{76}AZDO.{4}$/);
        const hint = page.locator('[data-grace-ends]');
        await expect(hint.textContent()).resolves.toMatch(
          /^The previous secret keeps working until \d{4}-\d\d-\d\d \d\d:\d\d UTC, then stops\.$/,
        );
        expect(Date.parse((await hint.getAttribute('data-grace-ends')) ?? '')).toBe(clock.now().getTime() + dayMs);
        await expectAccessible(page, 'token-regenerated-grace-1366');
        await page.setViewportSize({ width: 390, height: 844 });
        await screenshot(page, 'token-regenerated-grace-390');

        expect(await apiStatus(baseUrl, 'contoso', old.text)).toBe(200);
        expect(await apiStatus(baseUrl, 'contoso', successor)).toBe(200);
        clock.advance(dayMs + 1_000);
        expect(await apiStatus(baseUrl, 'contoso', old.text)).toBe(401);
        expect(await apiStatus(baseUrl, 'contoso', successor)).toBe(200);
        clock.advance(-(dayMs + 1_000));
      });

      it('regenerates at once when "Now" stays chosen; a token in grace points to its successor and refuses changes', async () => {
        const now = await token('now bot');
        const graced = await token('graced bot');
        await signInAsAlice(page);
        await page.goto(`/contoso/_usersSettings/tokens/${now.token.id}/regenerate`);
        await page.getByRole('button', { name: 'Regenerate token' }).click();
        await expect(page.getByText('The previous secret of this token no longer works.').count()).resolves.toBe(1);
        expect(await apiStatus(baseUrl, 'contoso', now.text)).toBe(401);

        await page.goto(`/contoso/_usersSettings/tokens/${graced.token.id}/regenerate`);
        await page.getByLabel('In 1 hour').check();
        await page.getByRole('button', { name: 'Regenerate token' }).click();
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Token regenerated');

        // In grace: the pages say until when it works and point to the successor; regenerating and saving are refused.
        await page.goto(`/contoso/_usersSettings/tokens/${graced.token.id}/regenerate`);
        await expect(page.locator('[data-rotated-until]').textContent()).resolves.toMatch(
          /^This token was rotated: it works until/,
        );
        await expect(page.getByRole('button', { name: 'Regenerate token' }).count()).resolves.toBe(0);
        await expectAccessible(page, 'token-regenerate-in-grace');
        await page.goto(`/contoso/_usersSettings/tokens/${graced.token.id}/edit`);
        await expect(page.locator('[data-rotated-until]').count()).resolves.toBe(1);
        const [saved] = await Promise.all([
          page.waitForResponse((answer) => answer.request().method() === 'POST'),
          page.getByRole('button', { name: 'Save' }).click(),
        ]);
        expect(saved.status()).toBe(409);
        await expect(page.getByText(/This token was rotated: its successor is/).count()).resolves.toBe(1);
        await page.getByRole('link', { name: 'its successor' }).first().click();
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Edit token “graced bot”');
        await expect(page.locator('[data-rotated-until]').count()).resolves.toBe(0);
        expect(await apiStatus(baseUrl, 'contoso', graced.text)).toBe(200);
      });

      it("shows a token in its grace window as rotated, with the minute it stops, on the user's and the organization's lists", async () => {
        const rotated = await token('list bot');
        await token('steady bot');
        const grace = await lapis.services.tokenRotations.rotate({ token: rotated.token, user: alice, graceSeconds: 3_600 });
        const graceEndsAt = grace.rotation.graceEndsAt;
        await signInAsAlice(page);
        const lists = [
          ['/contoso/_usersSettings/tokens', 'token-list-in-grace'],
          ['/contoso/_settings/tokens', 'organization-tokens-in-grace'],
        ] as const;
        for (const [path, name] of lists) {
          await page.setViewportSize({ width: 1366, height: 900 });
          await page.goto(path);
          // The earlier tests' rotated tokens are in grace too; the successor has the same name as its predecessor.
          const rows = page.locator('tbody tr');
          const listBots = rows.filter({ hasText: 'list bot' });
          await expect(listBots.count()).resolves.toBe(2);
          const rotatedRows = listBots.filter({ hasText: 'Rotated' });
          await expect(rotatedRows.count()).resolves.toBe(1);
          const until = rotatedRows.locator('[data-rotated-until]');
          expect(await until.getAttribute('data-rotated-until')).toBe(graceEndsAt);
          await expect(until.textContent()).resolves.toBe(`Stops working ${graceEndsAt.slice(0, 16).replace('T', ' ')} UTC`);
          await expect(rotatedRows.getByText('Active', { exact: true }).count()).resolves.toBe(1);
          await expect(rows.filter({ hasText: 'steady bot' }).locator('[data-rotated-until]').count()).resolves.toBe(0);
          await expectAccessible(page, `${name}-1366`);
          await page.setViewportSize({ width: 390, height: 844 });
          await expectAccessible(page, `${name}-390`);
        }

        clock.advance(3_600_000 + 1_000);
        try {
          for (const [path] of lists) {
            await page.goto(`${path}?status=all`);
            const listBots = page.locator('tbody tr').filter({ hasText: 'list bot' });
            await expect(listBots.count()).resolves.toBe(2);
            await expect(listBots.locator('[data-rotated-until]').count()).resolves.toBe(0);
          }
          await page.goto('/contoso/_usersSettings/tokens?status=expired');
          await expect(page.locator('tbody th').allTextContents()).resolves.toContain('list bot');
        } finally {
          clock.advance(-(3_600_000 + 1_000));
        }
      });
    },
  );
}
