import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { csrfToken, uiClient } from '../support/ui.js';

const [sqlite] = backends();

const csp =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'";

describe('web UI pages', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;

  beforeEach(async () => {
    lapis = await testApp(await sqlite!.open());
    await lapis.services.users.add({ username: 'root', displayName: 'Root Admin', password: 'root-password', isAdmin: true });
    await lapis.services.users.add({ username: 'alice', password: 'alice-password' });
    await lapis.services.organizations.add('contoso', 'alice');
    return () => lapis.app.close();
  });
  afterAll(() => sqlite!.cleanup());

  async function signedIn(username: 'root' | 'alice') {
    const browser = uiClient(lapis.app);
    expect((await browser.signIn(username, `${username}-password`)).statusCode).toBe(303);
    return browser;
  }

  it('serves pages as complete documents with a strict CSP, frame denial and no caching', async () => {
    const page = await uiClient(lapis.app).get('/_signin');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(csp);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toMatch(/^<!doctype html><html lang="en">/);
    expect(page.body).toContain('<title>Sign in · Lapis</title>');
    expect(page.body).not.toMatch(/<script|style=/);
    const css = await uiClient(lapis.app).get('/_static/lapis.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('keeps its headers, cookies and error pages away from the REST routes', async () => {
    const health = await lapis.app.inject({ method: 'GET', url: '/_health' });
    expect(health.headers['content-security-policy']).toBeUndefined();
    expect(health.headers['set-cookie']).toBeUndefined();
    const missing = await lapis.app.inject({ method: 'GET', url: '/contoso/_apis/nothing' });
    expect(missing.headers['content-type']).toMatch(/^application\/json/);
  });

  it('lists the organizations of the signed-in user with links to their token pages', async () => {
    const home = await (await signedIn('alice')).get('/');
    expect(home.body).toContain('href="/contoso/_usersSettings/tokens"');
    expect(home.body).not.toContain('href="/_admin/users"');
    const adminHome = await (await signedIn('root')).get('/');
    expect(adminHome.body).toContain('You are not a member of any organization yet.');
    expect(adminHome.body).toContain('href="/_admin/users"');
  });

  it('refuses POSTs without a valid CSRF token with a 403 page', async () => {
    const browser = await signedIn('root');
    const missing = await browser.postRaw('/_admin/users', { username: 'mallory' });
    expect(missing.statusCode).toBe(403);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(missing.body).toContain('Form expired');
    const forged = await browser.postRaw('/_admin/users', { _csrf: 'forged-token', username: 'mallory' });
    expect(forged.statusCode).toBe(403);
    const signOut = await browser.postRaw('/_signout', {});
    expect(signOut.statusCode).toBe(403);
    const anonymous = await uiClient(lapis.app).postRaw('/_signin', { username: 'root', password: 'root-password' });
    expect(anonymous.statusCode).toBe(403);
    expect((await lapis.services.users.list()).map((u) => u.username)).not.toContain('mallory');
  });

  it('does not accept a token issued to another session', async () => {
    const other = await uiClient(lapis.app).get('/_signin');
    const browser = await signedIn('root');
    const response = await browser.postRaw('/_admin/users', { _csrf: csrfToken(other.body), username: 'mallory' });
    expect(response.statusCode).toBe(403);
  });

  it('lets administrators in and shows everyone else a 403 page, unknown admin paths included', async () => {
    const alice = await signedIn('alice');
    for (const url of ['/_admin/users', '/_admin/organizations', '/_admin/organizations/contoso', '/_admin/nothing']) {
      const response = await alice.get(url);
      expect(response.statusCode, url).toBe(403);
      expect(response.body).toContain('Access denied');
    }
    const anonymous = await uiClient(lapis.app).get('/_admin/users');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/_signin?returnUrl=%2F_admin%2Fusers');
    const root = await signedIn('root');
    expect((await root.get('/_admin/users')).statusCode).toBe(200);
    expect((await root.get('/_admin/nothing')).statusCode).toBe(404);
  });

  it('escapes what users type', async () => {
    await lapis.services.users.add({ username: 'eve', displayName: '<img src=x onerror=alert(1)>', password: 'eve-password' });
    const eve = uiClient(lapis.app);
    await eve.signIn('eve', 'eve-password');
    const home = await eve.get('/');
    expect(home.body).toContain('&lt;img src=x onerror=alert(1)>');
    expect(home.body).not.toContain('<img');
    const list = await (await signedIn('root')).get('/_admin/users');
    expect(list.body).toContain('&lt;img src=x onerror=alert(1)>');
    expect(list.body).not.toContain('<img');
  });

  it('adds, disables and enables users, re-rendering the form with the message on a domain error', async () => {
    const root = await signedIn('root');
    const added = await root.submit('/_admin/users', '/_admin/users', {
      username: 'dave',
      displayName: 'Dave D',
      email: 'dave@example.com',
      password: 'dave-password',
      isAdmin: 'on',
    });
    expect(added.statusCode).toBe(303);
    expect(await lapis.services.users.get('dave')).toMatchObject({
      displayName: 'Dave D',
      isAdmin: true,
      email: 'dave@example.com',
    });

    const duplicate = await root.submit('/_admin/users', '/_admin/users', { username: 'dave', displayName: 'Second' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.body).toContain('User &quot;dave&quot; already exists.');
    expect(duplicate.body).toContain('value="Second"');
    const invalid = await root.submit('/_admin/users', '/_admin/users', { username: '-bad-' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('role="alert"');
    const shortPassword = await root.submit('/_admin/users', '/_admin/users', { username: 'erin', password: 'short' });
    expect(shortPassword.body).toContain('Password must be at least 12 characters.');

    expect((await root.submit('/_admin/users', '/_admin/users/dave/disable', {})).statusCode).toBe(303);
    expect((await lapis.services.users.get('dave')).disabledAt).not.toBeNull();
    expect((await root.submit('/_admin/users', '/_admin/users/dave/enable', {})).statusCode).toBe(303);
    expect((await lapis.services.users.get('dave')).disabledAt).toBeNull();
    const self = await root.submit('/_admin/users', '/_admin/users/root/disable', {});
    expect(self.statusCode).toBe(400);
    expect(self.body).toContain('You cannot disable your own account.');
    const unknown = await root.submit('/_admin/users', '/_admin/users/nobody/disable', {});
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('User &quot;nobody&quot; does not exist.');
  });

  it('adds organizations and manages their members', async () => {
    const root = await signedIn('root');
    const added = await root.submit('/_admin/organizations', '/_admin/organizations', { name: 'fabrikam', owner: 'root' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/_admin/organizations/fabrikam');
    const duplicate = await root.submit('/_admin/organizations', '/_admin/organizations', { name: 'Fabrikam', owner: 'root' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.body).toContain('value="Fabrikam"');
    const noOwner = await root.submit('/_admin/organizations', '/_admin/organizations', { name: 'tailspin', owner: 'ghost' });
    expect(noOwner.statusCode).toBe(404);
    expect(noOwner.body).toContain('User &quot;ghost&quot; does not exist.');

    const page = '/_admin/organizations/fabrikam';
    expect((await root.submit(page, `${page}/members`, { username: 'alice' })).statusCode).toBe(303);
    const members = await root.get(page);
    expect(members.body).toContain('<th scope="row" data-label="Username">alice</th>');
    const again = await root.submit(page, `${page}/members`, { username: 'alice' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already a member');
    const owner = await root.submit(page, `${page}/members/root/remove`, {});
    expect(owner.statusCode).toBe(400);
    expect(owner.body).toContain('cannot be removed');
    expect((await root.submit(page, `${page}/members/alice/remove`, {})).statusCode).toBe(303);
    expect((await lapis.services.organizations.members('fabrikam')).map((m) => m.user.username)).toEqual(['root']);
    expect((await root.get('/_admin/organizations/nowhere')).statusCode).toBe(404);
  });

  it('shows a 404 page under UI paths and a 500 page naming the request id without details', async () => {
    const missing = await uiClient(lapis.app).get('/_static/missing.css');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Page not found');
    expect(missing.body).toMatch(/Request id: <code>[0-9a-f-]{36}<\/code>/);

    const root = await signedIn('root');
    await lapis.store.close();
    const broken = await root.get('/_admin/users');
    expect(broken.statusCode).toBe(500);
    expect(broken.headers['content-type']).toBe('text/html; charset=utf-8');
    const requestId = /Request id: <code>([0-9a-f-]{36})<\/code>/.exec(broken.body)?.[1];
    expect(requestId).toBeDefined();
    expect(broken.body).not.toMatch(/at .+\.(ts|js):\d+|Error:/);
    expect(lapis.logs.lines().some((line) => line.includes(requestId!) && line.includes('"level":50'))).toBe(true);
  });
});
