import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerStatus } from '../support/api-call.js';
import { chromiumAvailable, launchChromium, openPage } from '../support/browser.js';
import { lapisBin, runCli, type ServerProcess, startServerProcess } from '../support/cli.js';
import { freePort } from '../support/nginx.js';

interface Run {
  stderr(): string;
  done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

function runAppTry(args: string[], env: Record<string, string>, secret: string): Run {
  const child = spawn(process.execPath, [lapisBin, 'app', 'try', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(`${secret}\n`);
  return {
    stderr: () => stderr,
    done: new Promise((resolve) => child.on('exit', (status) => resolve({ status, stdout, stderr }))),
  };
}

async function authorizeUrlFrom(run: Run): Promise<string> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const match = /^\s+(http\S+\/oauth2\/authorize\?\S+)$/m.exec(run.stderr());
    if (match?.[1]) return match[1];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no authorize URL printed:\n${run.stderr()}`);
}

describe.skipIf(!chromiumAvailable)('lapis app try', () => {
  const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-app-try-')) };
  let server: ServerProcess;
  let browser: Browser;
  let appId: string;
  let secret: string;
  let callback: string;

  beforeAll(async () => {
    server = await startServerProcess(env);
    expect(runCli(['user', 'add', 'alice', '--password-stdin'], env, 'alice-password-1\n').status).toBe(0);
    expect(runCli(['org', 'add', 'contoso', '--owner', 'alice'], env).status).toBe(0);
    callback = `http://127.0.0.1:${await freePort()}/callback`;
    const added = runCli(
      [
        'app',
        'add',
        '--owner',
        'alice',
        '--name',
        'Radiator',
        '--callback',
        callback,
        '--scope',
        'vso.profile vso.project',
        '--json',
      ],
      env,
    );
    ({ appId, clientSecret: secret } = JSON.parse(added.stdout) as { appId: string; clientSecret: string });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('listens on the callback, waits for the consent given in Chromium, exchanges the code and prints working tokens', {
    timeout: 120_000,
  }, async () => {
    const run = runAppTry([appId, '--server', server.url, '--timeout', '90'], env, secret);
    const authorize = await authorizeUrlFrom(run);
    expect(authorize.startsWith(`${server.url}/oauth2/authorize?`)).toBe(true);
    expect(new URL(authorize).searchParams.get('redirect_uri')).toBe(callback);

    const { page, close } = await openPage(browser, server.url);
    try {
      await page.goto(authorize);
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('alice-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Accept' }).click();
      await page.waitForURL((url) => url.href.startsWith(callback));
      await expect(page.textContent('body')).resolves.toContain('Authorized: the tokens are in your terminal.');
    } finally {
      await close();
    }

    const result = await run.done;
    expect(result.status, result.stderr).toBe(0);
    const accessToken = /^export ACCESS_TOKEN='([^']+)'$/m.exec(result.stdout)?.[1] ?? '';
    expect(result.stdout).toMatch(/^export REFRESH_TOKEN='[^']+'$/m);
    expect(result.stdout).toMatch(/^# expires in \d+ s; scope: vso.profile vso.project$/m);
    expect(await bearerStatus(server.url, 'contoso', accessToken)).toBe(200);
  });

  it('gives up after its timeout with one line, and refuses an app without a loopback callback', async () => {
    const timedOut = await runAppTry([appId, '--server', server.url, '--timeout', '1'], env, secret).done;
    expect(timedOut.status).toBe(1);
    expect(timedOut.stderr).toMatch(
      /^lapis: No answer on http:\/\/127\.0\.0\.1:\d+\/callback within 1 s; nothing was authorized\.$/m,
    );

    const remote = runCli(
      [
        'app',
        'add',
        '--owner',
        'alice',
        '--name',
        'Remote',
        '--callback',
        'https://app.example.test/cb',
        '--scope',
        'vso.profile',
        '--json',
      ],
      env,
    );
    const remoteId = (JSON.parse(remote.stdout) as { appId: string }).appId;
    const refused = runCli(['app', 'try', remoteId], env, 'x\n');
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toMatch(
      /^lapis: App \S+ has no loopback callback .* lapis app edit \S+ --callback http:\/\/127\.0\.0\.1:5000\/callback$/,
    );
  });
});
