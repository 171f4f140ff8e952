import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Lapis } from '../../src/app.js';
import { testApp } from '../support/app.js';
import { backends, openSecondConnection } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { csrfToken, uiClient } from '../support/ui.js';

const sessionSecret = '5e'.repeat(32);
const alicePassword = 'alice-password';

/** Signs in over real HTTP and returns the session cookie exactly as a browser would store it. */
async function signInOverHttp(baseUrl: string, username: string, password: string): Promise<string> {
  const form = await fetch(`${baseUrl}/_signin`);
  const anonymous = (form.headers.getSetCookie()[0] ?? '').split(';', 1)[0] ?? '';
  const response = await fetch(`${baseUrl}/_signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: anonymous, 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'SessionTest/1.0' },
    body: new URLSearchParams({ _csrf: csrfToken(await form.text()), username, password }).toString(),
  });
  expect(response.status).toBe(303);
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith('lapis_session='));
  return (cookie ?? '').split(';', 1)[0] ?? '';
}

/** Posts /_signout as the browser holding `cookie` would: the page's form, with the cookie that page set. */
async function signOutOverHttp(baseUrl: string, cookie: string): Promise<void> {
  const page = await fetch(`${baseUrl}/`, { headers: { cookie } });
  const updated =
    page.headers
      .getSetCookie()
      .find((line) => line.startsWith('lapis_session='))
      ?.split(';', 1)[0] ?? cookie;
  const response = await fetch(`${baseUrl}/_signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: updated, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfToken(await page.text()) }).toString(),
  });
  expect(response.status).toBe(303);
}

async function curlStatus(url: string, cookie: string): Promise<number> {
  const { stdout } = await promisify(execFile)(
    'curl',
    ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Cookie: ${cookie}`, url],
    {
      timeout: 10_000,
    },
  );
  return Number(stdout);
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`server-side web sessions on ${backend.name}`, () => {
    let lapis: Lapis;
    const clock = movableClock('2026-11-30T08:00:00.000Z');

    beforeEach(async () => {
      clock.set('2026-11-30T08:00:00.000Z');
      lapis = await testApp(await backend.open(), { env: { LAPIS_SESSION_SECRET: sessionSecret }, clock });
      await lapis.services.users.add({ username: 'alice', displayName: 'Alice', password: alicePassword });
      await lapis.services.users.add({ username: 'root', password: 'root-password', isAdmin: true });
      return () => lapis.app.close();
    });
    afterAll(() => backend.cleanup());

    it('sign-out ends the session: a cookie copied before signing out then fails (curl, listening server)', async () => {
      const baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      const cookie = await signInOverHttp(baseUrl, 'alice', alicePassword);
      expect(await curlStatus(`${baseUrl}/_usersSettings/sessions`, cookie)).toBe(200);
      await signOutOverHttp(baseUrl, cookie);
      expect(await curlStatus(`${baseUrl}/_usersSettings/sessions`, cookie)).toBe(303);
    });

    it('replaces the CSRF secret at sign-in: the token from before signing in is refused afterwards', async () => {
      const browser = uiClient(lapis.app);
      const before = csrfToken((await browser.get('/_signin')).body);
      expect((await browser.postRaw('/_signin', { _csrf: before, username: 'alice', password: alicePassword })).statusCode).toBe(
        303,
      );
      expect((await browser.postRaw('/_signout', { _csrf: before })).statusCode).toBe(403);
      expect((await browser.get('/')).statusCode).toBe(200);
      const after = csrfToken((await browser.get('/')).body);
      expect(after).not.toBe(before);
      expect((await browser.postRaw('/_signout', { _csrf: after })).statusCode).toBe(303);
    });

    it('keeps the CSRF secret when a session ends elsewhere: a form open before then reaches the sign-in redirect, not a 403', async () => {
      const browser = uiClient(lapis.app);
      await browser.signIn('alice', alicePassword);
      const token = csrfToken((await browser.get('/_usersSettings/sessions')).body);
      const alice = (await lapis.services.users.get('alice'))!;
      for (const session of await lapis.services.webSessions.list(alice)) await lapis.services.webSessions.end(session.id);
      // Another tab loads a page first: the ended session is noticed and the cookie rewritten.
      expect((await browser.get('/_usersSettings/sessions')).statusCode).toBe(303);
      const posted = await browser.postRaw('/_usersSettings/sessions/end-others', { _csrf: token });
      expect(posted.statusCode).toBe(303);
      expect(posted.headers.location).toMatch(/^\/_signin/);
    });

    it('ends the session a browser had when it signs in again', async () => {
      const browser = uiClient(lapis.app);
      await browser.signIn('alice', alicePassword);
      const alice = (await lapis.services.users.get('alice'))!;
      const [first] = await lapis.services.webSessions.list(alice);
      clock.advance(1000);
      // The sign-in page redirects a signed-in browser, but a sign-in form left open in a tab can still be posted.
      const token = csrfToken((await browser.get('/')).body);
      expect((await browser.postRaw('/_signin', { _csrf: token, username: 'alice', password: alicePassword })).statusCode).toBe(
        303,
      );
      const now = await lapis.services.webSessions.list(alice);
      expect(now).toHaveLength(1);
      expect(now[0]!.id).not.toBe(first!.id);
      expect((await browser.get('/')).statusCode).toBe(200);
    });

    it('lists the sessions with address and browser, ends one, then all others', async () => {
      const laptop = uiClient(lapis.app, '10.0.0.1');
      const phone = uiClient(lapis.app, '10.0.0.2');
      const kiosk = uiClient(lapis.app, '10.0.0.3');
      for (const browser of [laptop, phone, kiosk]) await browser.signIn('alice', alicePassword);
      clock.advance(120_000);
      await phone.get('/');

      const page = await laptop.get('/_usersSettings/sessions');
      expect(page.statusCode).toBe(200);
      for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
        expect(page.body).toContain(`<td data-label="Address">${address}</td>`);
      expect(page.body).toContain('This session');
      expect(page.body).toContain('lightMyRequest');
      expect(page.body).toContain('2026-11-30 08:02 UTC');

      const sessions = await lapis.services.webSessions.list((await lapis.services.users.get('alice'))!);
      const phoneSession = sessions.find((session) => session.clientAddress === '10.0.0.2')!;
      const ended = await laptop.submit('/_usersSettings/sessions', `/_usersSettings/sessions/${phoneSession.id}/end`, {});
      expect(ended.headers.location).toBe('/_usersSettings/sessions?ended=1');
      expect((await phone.get('/')).statusCode).toBe(303);
      expect((await kiosk.get('/')).statusCode).toBe(200);

      const others = await laptop.submit('/_usersSettings/sessions', '/_usersSettings/sessions/end-others', {});
      expect(others.headers.location).toBe('/_usersSettings/sessions?ended=1');
      expect((await kiosk.get('/')).statusCode).toBe(303);
      expect((await laptop.get('/')).statusCode).toBe(200);
    });

    it('does not let one user end another user’s session', async () => {
      const alice = uiClient(lapis.app);
      await alice.signIn('alice', alicePassword);
      const root = uiClient(lapis.app);
      await root.signIn('root', 'root-password');
      const [rootSession] = await lapis.services.webSessions.list((await lapis.services.users.get('root'))!);
      const attempt = await alice.submit('/_usersSettings/sessions', `/_usersSettings/sessions/${rootSession!.id}/end`, {});
      expect(attempt.headers.location).toBe('/_usersSettings/sessions?ended=0');
      expect((await root.get('/')).statusCode).toBe(200);
    });

    it('changing my password needs the current one and ends my other sessions, not this one', async () => {
      const mine = uiClient(lapis.app, '10.0.0.1');
      const other = uiClient(lapis.app, '10.0.0.2');
      await mine.signIn('alice', alicePassword);
      await other.signIn('alice', alicePassword);
      const change = (current: string, next: string, repeat = next) =>
        mine.submit('/_usersSettings/password', '/_usersSettings/password', {
          currentPassword: current,
          newPassword: next,
          repeatPassword: repeat,
        });

      const wrong = await change('not my password', 'a brand new passphrase');
      expect(wrong.statusCode).toBe(400);
      expect(wrong.body).toContain('The current password is incorrect.');
      expect((await change(alicePassword, 'a brand new passphrase', 'something else')).body).toContain(
        'The two new passwords differ.',
      );
      expect((await change(alicePassword, 'short')).body).toContain('at least 12 characters');
      expect((await change(alicePassword, 'Password2024!')).body).toContain('too common');
      expect((await other.get('/')).statusCode).toBe(200);

      const changed = await change(alicePassword, 'a brand new passphrase');
      expect(changed.statusCode).toBe(303);
      expect(changed.headers.location).toBe('/_usersSettings/password?changed=1');
      expect((await mine.get('/_usersSettings/password?changed=1')).body).toContain('Your password was changed');
      expect((await other.get('/')).statusCode).toBe(303);
      expect((await uiClient(lapis.app, '10.0.0.3').signIn('alice', alicePassword)).statusCode).toBe(400);
      expect((await uiClient(lapis.app, '10.0.0.4').signIn('alice', 'a brand new passphrase')).statusCode).toBe(303);
    });

    it('an administrator’s reset and disabling a user end all of that user’s sessions', async () => {
      const alice = uiClient(lapis.app);
      await alice.signIn('alice', alicePassword);
      const root = uiClient(lapis.app);
      await root.signIn('root', 'root-password');
      expect((await root.get('/_admin/users')).body).toContain('href="/_admin/users/alice/password"');
      const tooShort = await root.submit('/_admin/users/alice/password', '/_admin/users/alice/password', { password: 'short' });
      expect(tooShort.statusCode).toBe(400);
      const reset = await root.submit('/_admin/users/alice/password', '/_admin/users/alice/password', {
        password: 'reset by the admin 7',
      });
      expect(reset.statusCode).toBe(303);
      expect((await alice.get('/')).statusCode).toBe(303);
      expect((await alice.signIn('alice', 'reset by the admin 7')).statusCode).toBe(303);
      expect((await alice.get('/')).statusCode).toBe(200);

      expect((await root.submit('/_admin/users', '/_admin/users/alice/disable', {})).statusCode).toBe(303);
      const aliceUser = (await lapis.services.users.get('alice'))!;
      expect(await lapis.services.context.store.webSessions.listForUser(aliceUser.id, clock.now().toISOString())).toEqual([]);
      await lapis.services.users.enable('alice');
      expect((await alice.get('/')).statusCode).toBe(303);
    });

    it('keeps the absolute lifetime: activity does not extend a session', async () => {
      const browser = uiClient(lapis.app);
      await browser.signIn('alice', alicePassword);
      clock.advance(11 * 3_600_000);
      expect((await browser.get('/')).statusCode).toBe(200);
      clock.advance(3_600_000);
      expect((await browser.get('/')).statusCode).toBe(303);
    });

    it('holds across instances: signed in on one, valid on another, and signed out everywhere at once', async () => {
      const second = await testApp(openSecondConnection(lapis.store as never), {
        env: { LAPIS_SESSION_SECRET: sessionSecret },
        clock,
      });
      try {
        const one = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
        const two = await second.app.listen({ port: 0, host: '127.0.0.1' });
        const cookie = await signInOverHttp(one, 'alice', alicePassword);
        expect(await curlStatus(`${two}/_usersSettings/sessions`, cookie)).toBe(200);
        await signOutOverHttp(two, cookie);
        expect(await curlStatus(`${one}/_usersSettings/sessions`, cookie)).toBe(303);
      } finally {
        await second.app.close();
        await second.store.close();
      }
    });
  });
}
