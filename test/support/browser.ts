import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { underCi } from './ci.js';

export const chromiumPath = '/usr/bin/chromium';

/**
 * Whether browser tests run. Without Debian's chromium they skip with a visible notice, except under
 * under CI (see `underCi`), where a missing browser is a failure.
 */
export const chromiumAvailable: boolean = (() => {
  const found = existsSync(chromiumPath);
  if (!found && underCi) {
    throw new Error(`${chromiumPath} is required under CI (apt-get install -y chromium)`);
  }
  if (!found) console.warn(`\n*** NOTICE: ${chromiumPath} is missing: browser tests are SKIPPED ***\n`);
  return found;
})();

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core in the page and returns the serious and critical violations. The script goes in through
 * the DevTools protocol, which the page's CSP does not govern, so the CSP stays strict during the test.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    interface AxeViolation {
      id: string;
      impact: string | null;
      help: string;
      nodes: { target: unknown[] }[];
    }
    const results = await axe.run();
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) }));
  });
}

const screenshotDir = new URL('../../test-artifacts/screenshots/', import.meta.url);

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, screenshotDir).pathname, fullPage: true });
}

/** Records the Content-Security-Policy violations a page reports, so a test can require that there are none. */
function watchCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

/** A fresh context and page for one test; closing it requires that the page reported no CSP violation. */
export async function openPage(
  browser: Browser,
  baseURL: string,
  permissions: string[] = [],
): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext({ baseURL });
  if (permissions.length > 0) await context.grantPermissions(permissions, { origin: baseURL });
  const page = await context.newPage();
  const violations = watchCspViolations(page);
  return {
    page,
    async close() {
      expect(violations).toEqual([]);
      await context.close();
    },
  };
}

/** Signs alice in through the home page's form, as the test worlds create her, and waits for her welcome. */
export async function signInAsAlice(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('alice-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome, Alice Example');
}

/** Keeps a screenshot as a test artifact and requires no serious or critical axe finding. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect(await seriousAxeViolations(page), name).toEqual([]);
}
