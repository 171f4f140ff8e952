import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Organization, PersonalAccessToken, User } from '../../src/domain/entities.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { dayMs, movableClock } from '../support/clock.js';
import { uiClient } from '../support/ui.js';

const [sqlite] = backends();

const tokensPage = '/contoso/_usersSettings/tokens';
const newPage = `${tokensPage}/new`;
const start = '2026-06-01T12:00:00.000Z';

/** The token text on a created/regenerated page. */
function shownToken(html: string): string {
  const match = /<textarea[^>]*id="new-token"[^>]*>([^<]*)<\/textarea>/.exec(html);
  if (!match?.[1]) throw new Error('the page shows no token');
  return match[1];
}

describe('personal access token pages', () => {
  const clock = movableClock(start);
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let alice: User;
  let bob: User;
  let contoso: Organization;
  let fabrikam: Organization;

  async function setUp(env: Record<string, string> = {}) {
    clock.set(start);
    lapis = await testApp(await sqlite!.open(), { clock, env });
    alice = await lapis.services.users.add({ username: 'alice', password: 'alice-password' });
    bob = await lapis.services.users.add({ username: 'bob', password: 'bob-password' });
    contoso = await lapis.services.organizations.add('contoso', 'alice');
    fabrikam = await lapis.services.organizations.add('fabrikam', 'alice');
    await lapis.services.organizations.add('tailspin', 'bob');
    await lapis.services.organizations.addMember('contoso', 'bob');
  }

  beforeEach(async () => {
    await setUp();
    return () => lapis.app.close();
  });
  afterAll(() => sqlite!.cleanup());

  async function signedIn(username: 'alice' | 'bob') {
    const browser = uiClient(lapis.app);
    expect((await browser.signIn(username, `${username}-password`)).statusCode).toBe(303);
    return browser;
  }

  function createFields(overrides: Record<string, string | string[]> = {}) {
    return { name: 'ci', organization: contoso.id, expiration: '30', customDate: '', access: 'custom', ...overrides };
  }

  function create(browser: ReturnType<typeof uiClient>, fields: Record<string, string>, scopes: string[] = []) {
    return browser.submit(newPage, newPage, { ...fields, scope: scopes });
  }

  async function tokenOf(user: User, name: string): Promise<PersonalAccessToken> {
    const token = (await lapis.services.tokens.list(user)).find((each) => each.displayName === name);
    if (!token) throw new Error(`no token named ${name}`);
    return token;
  }

  it('asks for sign-in, answers only members of the organization and shows HTML 404 pages', async () => {
    const anonymous = await uiClient(lapis.app).get(tokensPage);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/_signin?returnUrl=%2Fcontoso%2F_usersSettings%2Ftokens');

    const aliceBrowser = await signedIn('alice');
    expect((await aliceBrowser.get(tokensPage)).statusCode).toBe(200);
    expect((await aliceBrowser.get('/CONTOSO/_usersSettings/tokens')).statusCode).toBe(200);
    for (const url of [
      '/tailspin/_usersSettings/tokens',
      '/nowhere/_usersSettings/tokens',
      '/tailspin/_usersSettings/tokens/new',
    ]) {
      const refused = await aliceBrowser.get(url);
      expect(refused.statusCode, url).toBe(404);
      expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(refused.body).toContain('Organization not found');
    }
    const settings = await aliceBrowser.get('/contoso/_usersSettings');
    expect(settings.statusCode).toBe(303);
    expect(settings.headers.location).toBe(tokensPage);
    const unknown = await aliceBrowser.get('/contoso/_usersSettings/nothing');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('Page not found');

    const forged = await aliceBrowser.postRaw('/tailspin/_usersSettings/tokens/new', { name: 'x', access: 'full' });
    expect(forged.statusCode).toBe(403);
    const bobBrowser = await signedIn('bob');
    const bobForTailspin = await bobBrowser.get('/tailspin/_usersSettings/tokens');
    expect(bobForTailspin.statusCode).toBe(200);
    const home = await aliceBrowser.get('/');
    expect(home.body).toContain(`href="${tokensPage}"`);
    expect(home.body).toContain('href="/fabrikam/_usersSettings/tokens"');
  });

  it('offers the form fields with labels, the organizations, the policy expirations and the public scopes by area', async () => {
    const page = await (await signedIn('alice')).get(newPage);
    expect(page.statusCode).toBe(200);
    for (const label of ['<label for="field-name">Name</label>', '<label for="field-organization">Organization</label>']) {
      expect(page.body).toContain(label);
    }
    expect(page.body).toContain('<legend>Expiration</legend>');
    expect(page.body).toContain('<legend>Scopes</legend>');
    expect(page.body).toMatch(/<option value="[^"]+" selected>contoso<\/option><option value="[^"]+">fabrikam<\/option>/);
    expect(page.body).toContain('<option value="all">All accessible organizations</option>');
    expect(page.body).not.toContain('tailspin');
    expect(page.body).toContain('30 days (until 2026-07-01)');
    expect(page.body).toContain('90 days (until 2026-08-30)');
    expect(page.body).toContain('max="2027-06-01"');
    expect(page.body).toContain('<label for="field-access-full">Full access <span class="badge warn">High privilege</span>');
    expect(page.body).toContain('<legend>Build</legend>');
    expect(page.body).toMatch(/<label for="scope-vso\.build_execute">Read and execute <span class="badge warn">High privilege/);
    expect(page.body).toContain('<label for="scope-vso.project">Read</label>');
    for (const internal of ['vso.base', 'vso.hooks', 'user_impersonation', 'value="app_token"']) {
      expect(page.body).not.toContain(`scope-${internal}`);
    }
    expect(page.body).toMatch(/<button type="submit" class="button primary">Create<\/button>/);
    expect(page.body).toContain('<script src="/_static/scope-filter.js" defer></script>');
    const script = await uiClient(lapis.app).get('/_static/scope-filter.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
  });

  it('creates a token with custom scopes and shows it once, uncached, in the answer to the POST only', async () => {
    const browser = await signedIn('alice');
    const created = await create(browser, createFields({ name: 'build bot' }), ['vso.build_execute', 'vso.project']);
    expect(created.statusCode).toBe(200);
    expect(created.headers.location).toBeUndefined();
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toContain('it will not be shown again');
    const text = shownToken(created.body);
    expect(text).toMatch(/^.{76}AZDO.{4}$/);
    expect(created.body).toContain('data-copy-from="new-token" hidden');
    expect(created.body).toContain('<script src="/_static/copy-token.js" defer></script>');

    const token = await tokenOf(alice, 'build bot');
    expect(token).toMatchObject({ scopes: ['vso.build_execute', 'vso.project'], organizationId: contoso.id });
    expect(token.validTo).toBe(new Date(Date.parse(start) + 30 * dayMs).toISOString());
    expect(token.tokenHash).toBe(lapis.services.hasher.hash(text));

    for (const url of [tokensPage, `${tokensPage}?status=all`, newPage, `${tokensPage}/${token.id}/edit`, '/']) {
      expect((await browser.get(url)).body, url).not.toContain(text);
    }
    const list = await browser.get(tokensPage);
    expect(list.body).toContain('Build (read and execute), Project and team (read)');
    expect(list.body).toContain('<td data-label="Organization">contoso</td>');
    expect(lapis.logs.lines().join('\n')).not.toContain(text);
    expect(lapis.logs.lines().join('\n')).not.toContain(text.slice(0, 30));
  });

  it('creates full access tokens for all accessible organizations', async () => {
    const browser = await signedIn('alice');
    const created = await create(browser, createFields({ name: 'everything', organization: 'all', access: 'full' }), [
      'vso.build',
    ]);
    expect(created.statusCode).toBe(200);
    expect(await tokenOf(alice, 'everything')).toMatchObject({ scopes: ['app_token'], organizationId: null });
    const list = await browser.get(tokensPage);
    expect(list.body).toContain('<td data-label="Organization">All accessible organizations</td>');
    expect(list.body).toContain('<td data-label="Scopes" class="scopes">Full access</td>');
    const inFabrikam = await create(browser, createFields({ name: 'f', organization: fabrikam.id }), ['vso.profile']);
    expect(inFabrikam.statusCode).toBe(200);
    expect((await tokenOf(alice, 'f')).organizationId).toBe(fabrikam.id);
  });

  it('keeps expiry within the policy and refuses a custom date beyond it with a clear message', async () => {
    const browser = await signedIn('alice');
    const custom = await create(browser, createFields({ name: 'custom', expiration: 'custom', customDate: '2027-06-01' }), [
      'vso.build',
    ]);
    expect(custom.statusCode).toBe(200);
    expect((await tokenOf(alice, 'custom')).validTo).toBe('2027-06-01T00:00:00.000Z');

    const tooLate = await create(browser, createFields({ name: 'late', expiration: 'custom', customDate: '2027-06-02' }), [
      'vso.build',
    ]);
    expect(tooLate.statusCode).toBe(400);
    expect(tooLate.body).toContain('role="alert"');
    expect(tooLate.body).toContain(
      'The custom expiry date must be 2027-06-01 or earlier: a token may be valid for at most 365 days.',
    );
    expect(tooLate.body).toContain('value="late"');
    expect(tooLate.body).toMatch(/value="custom" checked/);
    expect(tooLate.body).toMatch(/id="scope-vso\.build" name="scope" value="vso\.build" checked/);

    const past = await create(browser, createFields({ expiration: 'custom', customDate: '2026-06-01' }), ['vso.build']);
    expect(past.body).toContain('The custom expiry date must be 2026-06-02 or later.');
    const garbage = await create(browser, createFields({ expiration: 'custom', customDate: '2026-02-30' }), ['vso.build']);
    expect(garbage.body).toContain('Enter the custom expiry date as a date');
    const tampered = await create(browser, createFields({ expiration: '400' }), ['vso.build']);
    expect(tampered.statusCode).toBe(400);
    expect(tampered.body).toContain('Choose an expiration.');
    expect((await lapis.services.tokens.list(alice)).map((t) => t.displayName)).toEqual(['custom']);
  });

  it('offers only the presets a shorter policy allows', async () => {
    await lapis.app.close();
    await setUp({ LAPIS_PAT_MAX_LIFETIME_DAYS: '45', LAPIS_PAT_DEFAULT_LIFETIME_DAYS: '7' });
    const browser = await signedIn('alice');
    const page = await browser.get(newPage);
    expect(page.body).toMatch(/value="7" checked/);
    expect(page.body).toContain('30 days (until 2026-07-01)');
    expect(page.body).not.toContain('60 days');
    expect(page.body).toContain('max="2026-07-16"');
    const refused = await create(browser, createFields({ expiration: '60' }), ['vso.build']);
    expect(refused.body).toContain('Choose an expiration.');
    const late = await create(browser, createFields({ expiration: 'custom', customDate: '2026-07-17' }), ['vso.build']);
    expect(late.body).toContain('a token may be valid for at most 45 days');
  });

  it('re-renders the form with the message when the service refuses it', async () => {
    const browser = await signedIn('alice');
    const noName = await create(browser, createFields({ name: '  ' }), ['vso.build']);
    expect(noName.statusCode).toBe(400);
    expect(noName.body).toContain('A token needs a name.');
    const noScopes = await create(browser, createFields({ name: 'empty' }));
    expect(noScopes.statusCode).toBe(400);
    expect(noScopes.body).toContain('Choose at least one scope, or choose Full access.');
    const unknownScope = await create(browser, createFields(), ['vso.wat']);
    expect(unknownScope.body).toContain('Unknown scope: vso.wat.');
    const otherOrganization = await create(browser, createFields({ organization: 'b0b0b0b0-0000-4000-8000-000000000000' }), [
      'vso.build',
    ]);
    expect(otherOrganization.statusCode).toBe(404);
    expect(otherOrganization.body).toContain('role="alert"');
    expect(await lapis.services.tokens.list(alice)).toEqual([]);
  });

  it('lists tokens with their status and filters active, expired, revoked and all', async () => {
    const input = { user: alice, scope: 'vso.build', organizationId: contoso.id };
    clock.set('2026-05-01T12:00:00.000Z');
    await lapis.services.tokens.create({ ...input, displayName: 'old', days: 7 });
    clock.set(start);
    await lapis.services.tokens.create({ ...input, displayName: 'current', days: 30 });
    clock.advance(60_000);
    const gone = await lapis.services.tokens.create({ ...input, displayName: 'gone', days: 30 });
    await lapis.services.tokens.revoke(gone.token);
    await lapis.services.tokens.create({ ...input, user: bob, displayName: 'bobs' });

    const browser = await signedIn('alice');
    const names = (html: string) => [...html.matchAll(/<th scope="row" data-label="Name">([^<]*)<\/th>/g)].map((m) => m[1]);
    const active = await browser.get(tokensPage);
    expect(names(active.body)).toEqual(['current']);
    expect(active.body).toContain('<span class="badge status-active">Active</span>');
    expect(active.body).toMatch(/aria-current="page">Active <span class="count">\(1\)<\/span>/);
    expect(active.body).toContain('Expired <span class="count">(1)</span>');
    expect(active.body).toContain('Revoked <span class="count">(1)</span>');
    expect(active.body).toContain('All <span class="count">(3)</span>');
    const expired = await browser.get(`${tokensPage}?status=expired`);
    expect(names(expired.body)).toEqual(['old']);
    expect(expired.body).toContain('<span class="badge status-expired">Expired</span>');
    const revoked = await browser.get(`${tokensPage}?status=revoked`);
    expect(names(revoked.body)).toEqual(['gone']);
    expect(revoked.body).not.toContain('/edit');
    expect(names((await browser.get(`${tokensPage}?status=all`)).body)).toEqual(['gone', 'current', 'old']);
    expect(names((await browser.get(`${tokensPage}?status=bogus`)).body)).toEqual(['current']);
    expect((await browser.get(`${tokensPage}?notice=<b>`)).body).not.toContain('role="status"');

    const empty = await (await signedIn('bob')).get(`${tokensPage}?status=revoked`);
    expect(empty.body).toContain('You have no revoked tokens.');
  });

  it('edits name, scopes, organization and expiry within the policy', async () => {
    const { token } = await lapis.services.tokens.create({
      user: alice,
      displayName: 'ci',
      scope: 'vso.build',
      organizationId: contoso.id,
      days: 30,
    });
    const browser = await signedIn('alice');
    const editUrl = `${tokensPage}/${token.id}/edit`;
    const form = await browser.get(editUrl);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="ci"');
    expect(form.body).toMatch(/value="keep" checked/);
    expect(form.body).toMatch(/id="scope-vso\.build" name="scope" value="vso\.build" checked/);
    expect(form.body).toContain(`href="${tokensPage}/${token.id}/regenerate"`);
    expect(form.body).toContain(`href="${tokensPage}/${token.id}/revoke"`);

    const post = (fields: Record<string, string>, scopes: string[]) =>
      browser.submit(editUrl, editUrl, { ...fields, scope: scopes });
    const tooLong = await post({ name: 'ci', organization: contoso.id, expiration: 'custom', customDate: '2027-06-02' }, [
      'vso.build',
    ]);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('2027-06-01 or earlier');

    const saved = await post({ name: 'ci renamed', organization: 'all', expiration: '90' }, ['vso.code', 'vso.project']);
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${tokensPage}?notice=updated`);
    expect(await lapis.services.tokens.get(token.id)).toMatchObject({
      displayName: 'ci renamed',
      scopes: ['vso.code', 'vso.project'],
      organizationId: null,
      validTo: new Date(Date.parse(start) + 90 * dayMs).toISOString(),
    });
    expect((await browser.get(saved.headers.location as string)).body).toContain('The token was saved.');

    const kept = await post({ name: 'ci renamed', organization: fabrikam.id, expiration: 'keep', access: 'full' }, ['vso.code']);
    expect(kept.statusCode).toBe(303);
    expect(await lapis.services.tokens.get(token.id)).toMatchObject({
      scopes: ['app_token'],
      organizationId: fabrikam.id,
      validTo: new Date(Date.parse(start) + 90 * dayMs).toISOString(),
    });
  });

  it('regenerates after a confirmation page: a new token shown once, the old one revoked', async () => {
    const old = await lapis.services.tokens.create({
      user: alice,
      displayName: 'deploy',
      scope: 'vso.build vso.project',
      organizationId: contoso.id,
      days: 60,
    });
    const browser = await signedIn('alice');
    const url = `${tokensPage}/${old.token.id}/regenerate`;
    const confirm = await browser.get(url);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Regenerate token “deploy”?');
    expect(confirm.body).toContain(`<form method="post" action="${url}"`);
    expect((await lapis.services.tokens.get(old.token.id)).revokedAt).toBeNull();

    const regenerated = await browser.submit(url, url, {});
    expect(regenerated.statusCode).toBe(200);
    expect(regenerated.headers['cache-control']).toBe('no-store');
    const text = shownToken(regenerated.body);
    expect(text).not.toBe(old.text);
    expect((await lapis.services.tokens.get(old.token.id)).revokedAt).not.toBeNull();
    const replacement = (await lapis.services.tokens.list(alice)).find((t) => !t.revokedAt)!;
    expect(replacement).toMatchObject({
      displayName: 'deploy',
      scopes: ['vso.build', 'vso.project'],
      organizationId: contoso.id,
    });
    expect(replacement.tokenHash).toBe(lapis.services.hasher.hash(text));
    expect((await browser.get(`${tokensPage}?status=all`)).body).not.toContain(text);

    const again = await browser.get(url);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Token revoked');
  });

  it('revokes after a confirmation page, and a revoked token cannot be edited', async () => {
    const { token } = await lapis.services.tokens.create({
      user: alice,
      displayName: 'temp',
      scope: 'vso.build',
      organizationId: null,
    });
    const browser = await signedIn('alice');
    const url = `${tokensPage}/${token.id}/revoke`;
    const confirm = await browser.get(url);
    expect(confirm.body).toContain('Revoke token “temp”?');
    expect(confirm.body).toContain('This cannot be undone.');
    expect(confirm.body).toContain('<button type="submit" class="button danger">Revoke token</button>');
    const revoked = await browser.submit(url, url, {});
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe(`${tokensPage}?notice=revoked`);
    expect((await lapis.services.tokens.get(token.id)).revokedAt).toBe(start);
    expect((await browser.get(revoked.headers.location as string)).body).toContain('The token was revoked.');
    expect((await browser.get(`${tokensPage}/${token.id}/edit`)).statusCode).toBe(409);
  });

  it("answers 404 for another user's token, whatever the action", async () => {
    const { token } = await lapis.services.tokens.create({
      user: alice,
      displayName: 'mine',
      scope: 'vso.build',
      organizationId: contoso.id,
    });
    const bobBrowser = await signedIn('bob');
    for (const action of ['edit', 'regenerate', 'revoke']) {
      const url = `${tokensPage}/${token.id}/${action}`;
      const page = await bobBrowser.get(url);
      expect(page.statusCode, url).toBe(404);
      expect(page.body).not.toContain('mine');
      const posted = await bobBrowser.submit(tokensPage, url, { name: 'stolen', access: 'full', expiration: 'keep' });
      expect(posted.statusCode, url).toBe(404);
    }
    expect((await bobBrowser.get(`${tokensPage}/not-a-token/edit`)).statusCode).toBe(404);
    expect(await lapis.services.tokens.get(token.id)).toMatchObject({ displayName: 'mine', revokedAt: null });
    expect(await lapis.services.tokens.list(bob)).toEqual([]);
  });

  it('refuses every token form without a valid CSRF token', async () => {
    const { token } = await lapis.services.tokens.create({
      user: alice,
      displayName: 'safe',
      scope: 'vso.build',
      organizationId: null,
    });
    const browser = await signedIn('alice');
    const fields = { name: 'sneaky', organization: 'all', expiration: '30', access: 'full' };
    for (const url of [
      newPage,
      `${tokensPage}/${token.id}/edit`,
      `${tokensPage}/${token.id}/regenerate`,
      `${tokensPage}/${token.id}/revoke`,
    ]) {
      const missing = await browser.postRaw(url, fields);
      expect(missing.statusCode, url).toBe(403);
      expect(missing.body).toContain('Form expired');
      expect((await browser.postRaw(url, { ...fields, _csrf: 'forged' })).statusCode, url).toBe(403);
    }
    expect((await lapis.services.tokens.list(alice)).map((t) => [t.displayName, t.revokedAt])).toEqual([['safe', null]]);
  });

  it('escapes token names everywhere they appear', async () => {
    const name = '<img src=x onerror=alert(1)>"\'';
    const browser = await signedIn('alice');
    const created = await create(browser, createFields({ name }), ['vso.build']);
    expect(created.statusCode).toBe(200);
    const token = await tokenOf(alice, name);
    for (const html of [
      created.body,
      (await browser.get(tokensPage)).body,
      (await browser.get(`${tokensPage}/${token.id}/edit`)).body,
      (await browser.get(`${tokensPage}/${token.id}/revoke`)).body,
    ]) {
      expect(html).toContain('&lt;img src=x onerror=alert(1)>');
      expect(html).not.toContain('<img');
    }
  });
});
