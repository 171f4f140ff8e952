import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli, startServerProcess } from '../support/cli.js';
import { csrfToken } from '../support/ui.js';

const curl = promisify(execFile);

/** Over curl, one connection per request: the CLI runs in between take longer than a kept-alive socket lives. */
async function signIn(baseUrl: string, username: string, password: string): Promise<{ status: number; cookie: string }> {
  const jar = join(mkdtempSync(join(tmpdir(), 'lapis-jar-')), 'cookies');
  const form = await curl('curl', ['-s', '-c', jar, `${baseUrl}/_signin`]);
  const { stdout } = await curl('curl', [
    ...['-s', '-o', '/dev/null', '-w', '%{http_code}', '-b', jar, '-c', jar],
    ...['--data-urlencode', `_csrf=${csrfToken(form.stdout)}`, '--data-urlencode', `username=${username}`],
    ...['--data-urlencode', `password=${password}`, `${baseUrl}/_signin`],
  ]);
  const line = readFileSync(jar, 'utf8')
    .split('\n')
    .find((entry) => entry.includes('\tlapis_session\t'));
  return { status: Number(stdout), cookie: `lapis_session=${line?.split('\t')[6] ?? ''}` };
}

async function statusWith(url: string, cookie: string): Promise<number> {
  const { stdout } = await curl('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Cookie: ${cookie}`, url]);
  return Number(stdout);
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
      expect(await statusWith(`${server.url}/_usersSettings/sessions`, before.cookie)).toBe(200);

      const short = runCli(['user', 'set-password', 'alice', '--password-stdin'], env, 'short\n');
      expect(short.status).not.toBe(0);
      expect(short.stderr).toBe('lapis: Password must be at least 12 characters.\n');
      const unknown = runCli(['user', 'set-password', 'nobody', '--password-stdin'], env, 'second long password\n');
      expect(unknown.stderr).toMatch(/does not exist/);

      const set = runCli(['user', 'set-password', 'alice', '--password-stdin'], env, 'second long password\n');
      expect(set).toMatchObject({ status: 0, stdout: 'Set the password of alice; their web sessions have ended.\n' });
      expect(await statusWith(`${server.url}/_usersSettings/sessions`, before.cookie)).toBe(303);
      expect((await signIn(server.url, 'alice', 'first long password')).status).toBe(400);
      expect((await signIn(server.url, 'alice', 'second long password')).status).toBe(303);
    } finally {
      await server.stop();
    }
  });
});
