import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { csrfToken } from '../support/ui.js';

const [sqlite] = backends();
const password = 'alice-password';

/** One browser's sign-in form: its cookie and CSRF token, posted as often as needed. */
async function signInForm(baseUrl: string, forwardedFor: () => string) {
  const form = await fetch(`${baseUrl}/_signin`, { headers: { 'x-forwarded-for': forwardedFor() } });
  const cookie = (form.headers.getSetCookie()[0] ?? '').split(';', 1)[0] ?? '';
  const token = csrfToken(await form.text());
  return async (username: string, attempt: string): Promise<number> => {
    const response = await fetch(`${baseUrl}/_signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor() },
      body: new URLSearchParams({ _csrf: token, username, password: attempt }).toString(),
    });
    return response.status;
  };
}

async function curlBasic(url: string, credentials: string, sourceAddress: string): Promise<number> {
  const { stdout } = await promisify(execFile)(
    'curl',
    [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--interface',
      sourceAddress,
      '-u',
      credentials,
      '-H',
      'X-TFS-FedAuthRedirect: Suppress',
      url,
    ],
    { timeout: 10_000 },
  );
  return Number(stdout);
}

describe('failed passwords never lock the real user out (ASVS V2.2.1), through a listening server', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  afterAll(() => sqlite!.cleanup());

  async function server(env: Record<string, string>) {
    const lapis = await testApp(await sqlite!.open(), { env });
    await lapis.services.users.add({ username: 'alice', password });
    closers.push(() => lapis.app.close());
    return lapis.app.listen({ port: 0, host: '127.0.0.1' });
  }

  it('web sign-in behind a proxy: 21 failures from one client, whatever X-Forwarded-For it invents, then the user signs in from elsewhere', async () => {
    const baseUrl = await server({ LAPIS_TRUST_PROXY: 'true' });
    let invented = 0;
    // The proxy appends the address it saw; whatever the client put before it must not become the throttle key.
    const attacker = await signInForm(baseUrl, () => `203.0.113.${invented++ % 250}, 10.6.6.6`);
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push(await attacker('alice', `guess ${i}`));
    expect(statuses.slice(0, 20).every((status) => status === 400)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect(await attacker('alice', password)).toBe(429);

    const user = await signInForm(baseUrl, () => '10.0.0.5');
    expect(await user('alice', password)).toBe(303);
  });

  it('Basic passwords in IIS mode: 21 failures from 127.0.0.2, then the user from 127.0.0.1 gets in', async () => {
    const baseUrl = await server({ LAPIS_IIS_BASIC_AUTH: 'true' });
    const url = `${baseUrl}/_apis/connectionData`;
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push(await curlBasic(url, `alice:guess ${i}`, '127.0.0.2'));
    expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect(await curlBasic(url, `alice:${password}`, '127.0.0.2')).toBe(429);
    expect(await curlBasic(url, `alice:${password}`, '127.0.0.1')).toBe(200);
  });
});
