import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { backends } from '../support/backends.js';
import { dayMs, movableClock } from '../support/clock.js';
import { basic, type Listening, listening } from '../support/listening.js';
import { seedWorld, type World } from '../support/world.js';

const [sqlite] = backends();
const secret = 'cd'.repeat(32);
const suppress = { 'x-tfs-fedauthredirect': 'Suppress' };
const createProject = '/contoso/_apis/projects?api-version=7.1';
const updateBuilds = '/contoso/web/_apis/build/builds?api-version=7.1';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

/**
 * The authentication chain and the authorization step, seen through real routes of a listening server:
 * `connectionData` (any scope, credentials required), the build list (vso.build), the project list (vso.project)
 * and the build update (PATCH).
 */
describe('authentication chain over HTTP', () => {
  let store: KyselyStore;
  let world: World;
  let server: Listening;
  let pat: string;
  const clock = movableClock();
  const extra: Listening[] = [];

  const serve = async (env: Record<string, string>) => {
    const started = await listening(store, { env: { LAPIS_TOKEN_SECRET: secret, ...env }, clock });
    extra.push(started);
    return started;
  };

  beforeEach(async () => {
    clock.set('2026-06-01T12:00:00.000Z');
    store = await sqlite!.open();
    world = await seedWorld(store, clock, { LAPIS_TOKEN_SECRET: secret });
    await world.services.projects.add(world.contoso.id, { name: 'web' });
    server = await listening(store, { env: { LAPIS_TOKEN_SECRET: secret, LAPIS_AUTH_FAILURE_LIMIT: '5' }, clock });
    pat = (
      await world.services.tokens.create({
        user: world.alice,
        displayName: 'ci',
        scope: 'vso.build',
        organizationId: world.contoso.id,
        days: 7,
      })
    ).text;
  });
  afterEach(async () => {
    for (const started of [server, ...extra.splice(0)]) await started.close();
  });
  afterAll(() => sqlite!.cleanup());

  async function call(
    authorization: string | undefined,
    headers: Record<string, string> = {},
    options: { method?: string; path?: string; on?: Listening } = {},
  ): Promise<Answer> {
    const response = await fetch(`${(options.on ?? server).url}${options.path ?? '/contoso/_apis/connectionData'}`, {
      method: options.method ?? 'GET',
      headers: { ...(authorization !== undefined && { authorization }), ...headers },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
  }

  it.each([
    ['-u username:PAT', () => basic('username', pat)],
    ['-u :PAT', () => basic('', pat)],
    ['PAT as the user name', () => basic(pat, '')],
    ['any user name, as the official client sends it', () => basic('PAT', pat)],
    ['scheme in lower case', () => basic('', pat).replace('Basic', 'basic')],
  ])('accepts the PAT in the form %s', async (_form, header) => {
    const response = await call(header(), suppress);
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ authenticatedUser: { id: world.alice.id } });
    expect(response.headers.get('x-vss-userdata')).toBe(`${world.alice.id}:alice`);
    expect(response.headers.get('activityid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-vss-e2eid')).toBe(response.headers.get('activityid'));
  });

  it('lets a PAT do what its scopes cover (vso.build reads builds) and nothing else (creating a project)', async () => {
    expect((await call(basic('', pat), suppress, { path: '/contoso/web/_apis/build/builds' })).status).toBe(200);
    const create = await call(basic('', pat), suppress, { method: 'POST', path: createProject });
    expect(create.status).toBe(401);
    expect(create.json()).toMatchObject({ typeKey: 'AccessCheckException' });
    expect(create.json().message).toMatch(/lacks the scope vso\.project_manage/);
    expect(create.headers.get('x-vss-userdata')).toBe(`${world.alice.id}:alice`);
  });

  it('echoes a client X-TFS-Session and makes one up otherwise', async () => {
    const session = '6f9619ff-8b86-d011-b42d-00c04fc964ff';
    expect((await call(basic('', pat), { ...suppress, 'x-tfs-session': session })).headers.get('x-tfs-session')).toBe(session);
    expect((await call(basic('', pat), suppress)).headers.get('x-tfs-session')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an API client without credentials with 401 and the Azure DevOps authentication headers', async () => {
    const response = await call(undefined, suppress);
    const origin = server.url;
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer authorization_uri=${origin}/oauth2/authorize, Basic realm="${origin}/", TFS-Federated`,
    );
    expect(response.headers.get('x-tfs-fedauthredirect')).toBe(
      `${origin}/_signin?returnUrl=${encodeURIComponent('/contoso/_apis/connectionData')}`,
    );
    expect(response.headers.get('x-vss-authenticateerror')).toBe('Unauthorized');
    expect(response.headers.get('x-tfs-fedauthrealm')).toBe(`${origin}/`);
    expect(decodeURIComponent(String(response.headers.get('x-tfs-serviceerror')))).toMatch(/^TF400813/);
    expect(response.json()).toMatchObject({
      $id: '1',
      typeKey: 'UnauthorizedRequestException',
      errorCode: 0,
      eventId: 3000,
      innerException: null,
    });
  });

  it('answers a browser-like GET or POST without Suppress with 203 and an HTML sign-in page', async () => {
    const get = await call(undefined);
    const post = await call(undefined, { 'content-type': 'application/json' }, { method: 'POST', path: createProject });
    for (const response of [get, post]) {
      expect(response.status).toBe(203);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.text).toContain(`<a href="${server.url}/_signin?returnUrl=`);
    }
    expect((await call(basic('', 'x'.repeat(84)))).status).toBe(203);
  });

  it('answers PATCH with 401 even without Suppress', async () => {
    const patch = await call(undefined, { 'content-type': 'application/json' }, { method: 'PATCH', path: updateBuilds });
    expect(patch.status).toBe(401);
    expect(patch.json()).toMatchObject({ typeKey: 'UnauthorizedRequestException' });
  });

  it('serves the anonymous locations to callers without credentials, and still checks credentials sent there', async () => {
    const anonymous = await call(undefined, suppress, { path: '/contoso/_apis/ResourceAreas' });
    expect(anonymous.status).toBe(200);
    expect(anonymous.json()).toEqual({ count: 0, value: null });
    expect((await call(basic('', 'x'.repeat(52)), suppress, { path: '/contoso/_apis/ResourceAreas' })).status).toBe(401);
  });

  it('answers every failure with a plain 401 when LAPIS_ANONYMOUS=401', async () => {
    const strict = await serve({ LAPIS_ANONYMOUS: '401' });
    expect((await call(undefined, {}, { on: strict })).status).toBe(401);
    expect((await call(undefined, {}, { on: strict, method: 'POST', path: createProject })).status).toBe(401);
  });

  it('says when a token has expired, in the Azure DevOps words', async () => {
    clock.advance(8 * dayMs);
    const response = await call(basic('', pat), suppress);
    expect(response.status).toBe(401);
    expect(response.json()).toMatchObject({
      typeKey: 'AccessCheckException',
      message: 'Access Denied: The Personal Access Token used has expired.',
    });
    expect(response.headers.get('x-vss-authenticateerror')).toBe('InvalidToken');
  });

  it('answers a token held in memory as the lookup that loaded it did, and refuses it the moment it expires', async () => {
    // 100 ms before the end of its 7 days, well within the 500 ms the token stays in memory.
    clock.advance(7 * dayMs - 100);
    const loaded = await call(basic('', pat), suppress);
    const remembered = await call(basic('', pat), suppress);
    expect(loaded.status).toBe(200);
    expect(remembered.status).toBe(200);
    expect(remembered.json().authenticatedUser).toEqual(loaded.json().authenticatedUser);
    for (const name of ['x-vss-userdata', 'x-lapis-token-expires-at', 'x-lapis-token-expiry-warning']) {
      expect(loaded.headers.get(name)).toBeTruthy();
      expect(remembered.headers.get(name)).toBe(loaded.headers.get(name));
    }
    clock.advance(100);
    const expired = await call(basic('', pat), suppress);
    expect(expired.status).toBe(401);
    expect(expired.json().message).toBe('Access Denied: The Personal Access Token used has expired.');
  });

  it('refuses revoked tokens, other organizations and text/plain callers get text', async () => {
    expect((await call(basic('', pat), suppress, { path: '/fabrikam/_apis/connectionData' })).json().message).toMatch(
      /not valid for the organization 'fabrikam'/,
    );
    const [token] = await server.lapis.services.tokens.list(world.alice);
    await server.lapis.services.tokens.revoke(token!);
    const revoked = await call(basic('', pat), { ...suppress, accept: 'text/plain' });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(revoked.text).toBe('Access Denied: The Personal Access Token used has been revoked.');
  });

  it.each([
    ['no colon', `Basic ${Buffer.from('justonepart').toString('base64')}`],
    ['bad base64', 'Basic !!!notbase64!!!'],
    ['empty parts', `Basic ${Buffer.from(':').toString('base64')}`],
    ['empty value', 'Basic '],
    ['huge header', `Basic ${'A'.repeat(8000)}`],
    ['non-UTF-8 bytes', `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0xc3, 0x28]).toString('base64')}`],
    ['a password instead of a PAT', basic('alice', 'correct horse battery')],
  ])('answers %s with 401, never 500', async (_name, header) => {
    const response = await call(header, suppress);
    expect(response.status).toBe(401);
    expect(response.json().typeKey).toBe('UnauthorizedRequestException');
  });

  it('throttles an address after repeated failures with 429 and Retry-After, without slowing valid tokens', async () => {
    for (let i = 0; i < 5; i++) expect((await call(basic('', 'x'.repeat(52)), suppress)).status).toBe(401);
    const blocked = await call(basic('', 'x'.repeat(52)), suppress);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(basic('', pat), suppress)).status).toBe(200);
    clock.advance(61_000);
    expect((await call(basic('', 'x'.repeat(52)), suppress)).status).toBe(401);
  });

  it('never writes a token or a credential to the logs', async () => {
    await call(basic('', pat), suppress);
    await call(basic('someone', 'x'.repeat(52)), suppress);
    const logs = server.logs().join('\n');
    expect(logs).toContain('access refused');
    expect(logs).not.toContain(pat);
    expect(logs).not.toContain(Buffer.from(`:${pat}`).toString('base64'));
    expect(logs).not.toContain('x'.repeat(52));
  });

  it('logs each refusal once, with its reason, the credential kind and the token id, never the token', async () => {
    const [token] = await server.lapis.services.tokens.list(world.alice);
    const refusals = () =>
      server
        .logs()
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.msg === 'access refused');
    await call(basic('', pat), suppress, { path: '/fabrikam/_apis/connectionData' });
    expect(refusals()).toEqual([
      expect.objectContaining({ level: 30, reason: 'wrongOrganization', credential: 'pat', authorizationId: token!.id }),
    ]);
    clock.advance(8 * dayMs);
    await call(basic('', pat), suppress);
    expect(refusals()).toHaveLength(2);
    expect(refusals()[1]).toMatchObject({ reason: 'expired', credential: 'pat', authorizationId: token!.id });
    await call(undefined, suppress);
    expect(refusals()[2]).toMatchObject({ reason: 'missing' });
    expect(refusals()[2]).not.toHaveProperty('credential');
    expect(server.logs().join('\n')).not.toContain(pat);
  });

  describe('Azure DevOps Server with IIS Basic Authentication (LAPIS_IIS_BASIC_AUTH=true)', () => {
    it('checks Basic as user name and password, and PATs over Basic stop working', async () => {
      const iis = await serve({ LAPIS_IIS_BASIC_AUTH: 'true', LAPIS_AUTH_FAILURE_LIMIT: '3' });
      const on = (authorization: string) => call(authorization, suppress, { on: iis });
      const password = await on(basic('alice', 'correct horse battery'));
      expect(password.status).toBe(200);
      expect(password.json()).toMatchObject({ authenticatedUser: { id: world.alice.id } });
      expect((await on(basic('', pat))).status).toBe(401);
      expect((await on(basic('alice', 'wrong password'))).status).toBe(401);
      expect((await on(basic('alice', 'wrong password'))).status).toBe(401);
      expect((await on(basic('alice', 'wrong password'))).status).toBe(401);
      expect((await on(basic('alice', 'wrong password'))).status).toBe(429);
    });

    it('accepts any credential under an organization only while its user is a member', async () => {
      const iis = await serve({ LAPIS_IIS_BASIC_AUTH: 'true' });
      await iis.lapis.services.users.add({ username: 'carol', password: 'carol password 1' });
      const on = () => call(basic('carol', 'carol password 1'), suppress, { on: iis });
      const refused = await on();
      expect(refused.status).toBe(401);
      expect(refused.json().message).toBe("TF400813: The user 'carol' is not authorized to access the organization 'contoso'.");
      await iis.lapis.services.organizations.addMember('contoso', 'carol');
      expect((await on()).status).toBe(200);
      await iis.lapis.services.organizations.removeMember('contoso', 'carol');
      expect((await on()).status).toBe(401);
    });
  });
});
