import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { uiClient } from '../support/ui.js';

const [sqlite] = backends();

function movableClock() {
  let now = Date.parse('2026-11-27T08:00:00Z');
  return { clock: { now: () => new Date(now) }, advance: (ms: number) => (now += ms) };
}

describe('web sign-in', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let time: ReturnType<typeof movableClock>;

  beforeEach(async () => {
    time = movableClock();
    lapis = await testApp(await sqlite!.open(), { env: { LAPIS_AUTH_FAILURE_LIMIT: '3' }, clock: time.clock });
    await lapis.services.users.add({ username: 'alice', displayName: 'Alice A', password: 'correct horse' });
    return () => lapis.app.close();
  });
  afterAll(() => sqlite!.cleanup());

  it('signs in through the form, shows the home page and signs out', async () => {
    const browser = uiClient(lapis.app);
    const anonymous = await browser.get('/');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/_signin?returnUrl=%2F');

    const signedIn = await browser.signIn('alice', 'correct horse');
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/');
    const home = await browser.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Welcome, Alice A');

    const signedOut = await browser.submit('/', '/_signout', {});
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers.location).toBe('/_signin');
    expect(browser.hasSession()).toBe(false);
    expect((await browser.get('/')).statusCode).toBe(303);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, path /, with the configured lifetime and no Secure on http', async () => {
    const response = await uiClient(lapis.app).signIn('alice', 'correct horse');
    const cookie = response.cookies.find((c) => c.name === 'lapis_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 12 * 3600 });
    expect(cookie?.secure).toBeUndefined();
    expect(String(response.headers['set-cookie'])).not.toMatch(/secure/i);
  });

  it('marks the cookie Secure when the request came over HTTPS through a trusted proxy', async () => {
    const behindProxy = await testApp(await sqlite!.open(), { env: { LAPIS_TRUST_PROXY: 'true' } });
    const response = await behindProxy.app.inject({ method: 'GET', url: '/_signin', headers: { 'x-forwarded-proto': 'https' } });
    expect(response.cookies.find((c) => c.name === 'lapis_session')?.secure).toBe(true);
    await behindProxy.app.close();
  });

  it('refuses a wrong password, an unknown user, a disabled user and a user without a password with one generic message', async () => {
    await lapis.services.users.add({ username: 'bob', password: 'bob-password', isAdmin: true });
    await lapis.services.users.disable('bob');
    await lapis.services.users.add({ username: 'carol' });
    const attempts = [
      ['alice', 'wrong password'],
      ['nobody', 'whatever1'],
      ['bob', 'bob-password'],
      ['carol', 'any password'],
    ] as const;
    for (const [index, [username, password]] of attempts.entries()) {
      const response = await uiClient(lapis.app, `10.0.0.${index + 1}`).signIn(username, password);
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('Incorrect username or password.');
      expect(response.body).not.toMatch(/disabled|no password|does not exist/i);
    }
  });

  it('treats a session whose user was disabled, or which outlived its lifetime, as signed out', async () => {
    const browser = uiClient(lapis.app);
    await browser.signIn('alice', 'correct horse');
    expect((await browser.get('/')).statusCode).toBe(200);
    await lapis.services.users.disable('alice');
    expect((await browser.get('/')).statusCode).toBe(303);
    await lapis.services.users.enable('alice');

    const later = uiClient(lapis.app);
    await later.signIn('alice', 'correct horse');
    time.advance(11 * 3600 * 1000);
    expect((await later.get('/')).statusCode).toBe(200);
    time.advance(3600 * 1000);
    expect((await later.get('/')).statusCode).toBe(303);
  });

  it('throttles per address and per address and username with a 429 page and Retry-After, never per username alone', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await uiClient(lapis.app, '10.1.0.66').signIn('alice', 'nope')).statusCode).toBe(400);
    }
    const blocked = await uiClient(lapis.app, '10.1.0.66').signIn('alice', 'correct horse');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBe('60');
    expect(blocked.body).toContain('Too many failed sign-ins');
    expect((await uiClient(lapis.app, '10.1.0.9').signIn('alice', 'correct horse')).statusCode).toBe(303);

    for (let i = 0; i < 15; i++) await uiClient(lapis.app, '10.2.0.1').signIn(`stranger${i}`, 'nope');
    const sameAddress = await uiClient(lapis.app, '10.2.0.1').signIn('carol', 'whatever1');
    expect(sameAddress.statusCode).toBe(429);

    time.advance(60_000);
    expect((await uiClient(lapis.app, '10.1.0.66').signIn('alice', 'correct horse')).statusCode).toBe(303);
  });

  it('logs a refused sign-in with the client address and the claimed name, never the password', async () => {
    await uiClient(lapis.app, '10.3.0.7').signIn('alice', 'guessed-secret-1');
    const line = lapis.logs.lines().find((entry) => entry.includes('sign-in refused'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ reason: 'wrongPassword', username: 'alice', clientAddress: '10.3.0.7' });
    expect(lapis.logs.lines().join('\n')).not.toContain('guessed-secret-1');
  });

  it('sends X-Content-Type-Options: nosniff on the sign-in page, the 203 answer and JSON answers', async () => {
    expect((await uiClient(lapis.app).get('/_signin')).headers['x-content-type-options']).toBe('nosniff');
    const page203 = await lapis.app.inject({
      method: 'GET',
      url: '/_apis/connectionData',
      headers: { authorization: 'Basic Og==' },
    });
    expect(page203.statusCode).toBe(203);
    expect(page203.headers['x-content-type-options']).toBe('nosniff');
    const json = await lapis.app.inject({ method: 'GET', url: '/_apis/nothing-here' });
    expect(json.headers['content-type']).toMatch(/application\/json/);
    expect(json.headers['x-content-type-options']).toBe('nosniff');
  });

  it.each([
    ['/_admin/users?x=1', '/_admin/users?x=1'],
    ['//evil.example', '/'],
    ['https://evil.example', '/'],
    ['/\\evil', '/'],
    ['/\t/evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['', '/'],
  ])('after sign-in goes to %j only if it is a path on this server (→ %s)', async (returnUrl, expected) => {
    const browser = uiClient(lapis.app);
    const form = await browser.get(`/_signin?returnUrl=${encodeURIComponent(returnUrl)}`);
    expect(form.body).toContain(`name="returnUrl" value="${expected.replace('&', '&amp;')}"`);
    const response = await browser.signIn('alice', 'correct horse', returnUrl);
    expect(response.headers.location).toBe(expected);
  });
});
