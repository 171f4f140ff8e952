import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startServerProcess } from '../support/cli.js';
import { csrfToken } from '../support/ui.js';

async function signIn(baseUrl: string, username: string, password: string): Promise<{ status: number; cookie: string }> {
  const form = await fetch(`${baseUrl}/_signin`);
  const anonymous = (form.headers.getSetCookie()[0] ?? '').split(';', 1)[0] ?? '';
  const response = await fetch(`${baseUrl}/_signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: anonymous, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfToken(await form.text()), username, password }).toString(),
  });
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith('lapis_session='));
  return { status: response.status, cookie: (cookie ?? '').split(';', 1)[0] ?? '' };
}

describe('lapis user set-password', () => {
  it('sets a password read from standard input and ends the user’s web sessions in a running server', {
    timeout: 120_000,
  }, async () => {
    const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-cli-')) };
    const server = await startServerProcess(env);
    try {
      expect(runCli(['user', 'add', 'alice', '--password-stdin'], env, 'first long password\n').status).toBe(0);
      const before = await signIn(server.url, 'alice', 'first long password');
      expect(before.status).toBe(303);
      expect(
        (await fetch(`${server.url}/_usersSettings/sessions`, { headers: { cookie: before.cookie }, redirect: 'manual' })).status,
      ).toBe(200);

      const short = runCli(['user', 'set-password', 'alice', '--password-stdin'], env, 'short\n');
      expect(short.status).not.toBe(0);
      expect(short.stderr).toBe('lapis: Password must be at least 12 characters.\n');
      const unknown = runCli(['user', 'set-password', 'nobody', '--password-stdin'], env, 'second long password\n');
      expect(unknown.stderr).toMatch(/does not exist/);

      const set = runCli(['user', 'set-password', 'alice', '--password-stdin'], env, 'second long password\n');
      expect(set).toMatchObject({ status: 0, stdout: 'Set the password of alice; their web sessions have ended.\n' });
      expect(
        (await fetch(`${server.url}/_usersSettings/sessions`, { headers: { cookie: before.cookie }, redirect: 'manual' })).status,
      ).toBe(303);
      expect((await signIn(server.url, 'alice', 'first long password')).status).toBe(400);
      expect((await signIn(server.url, 'alice', 'second long password')).status).toBe(303);
    } finally {
      await server.stop();
    }
  });
});
