import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { type AuthProbe, authProbe, basic } from '../support/auth-probe.js';
import { backends } from '../support/backends.js';
import { dayMs, movableClock } from '../support/clock.js';
import { seedWorld, type World } from '../support/world.js';

const [sqlite] = backends();
const secret = 'cd'.repeat(32);
const suppress = { 'x-tfs-fedauthredirect': 'Suppress' };

describe('authentication chain over HTTP', () => {
  let store: KyselyStore;
  let world: World;
  let probe: AuthProbe;
  let pat: string;
  const clock = movableClock();

  beforeEach(async () => {
    clock.set('2026-06-01T12:00:00.000Z');
    store = await sqlite!.open();
    world = await seedWorld(store, clock, { LAPIS_TOKEN_SECRET: secret });
    probe = await authProbe(store, { LAPIS_TOKEN_SECRET: secret, LAPIS_AUTH_FAILURE_LIMIT: '5' }, clock);
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
  afterAll(() => sqlite!.cleanup());

  const get = (
    authorization: string | undefined,
    headers: Record<string, string> = {},
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'OPTIONS' | 'HEAD' = 'GET',
    org = 'contoso',
  ) =>
    probe.server.inject({
      method,
      url: `/${org}/_apis/probe`,
      headers: { host: 'lapis.test', ...(authorization && { authorization }), ...headers },
    });

  it.each([
    ['-u username:PAT', () => basic('username', pat)],
    ['-u :PAT', () => basic('', pat)],
    ['PAT as the user name', () => basic(pat, '')],
    ['any user name, as the official client sends it', () => basic('PAT', pat)],
    ['scheme in lower case', () => basic('', pat).replace('Basic', 'basic')],
  ])('accepts the PAT in the form %s', async (_form, header) => {
    const response = await get(header(), suppress);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user: 'alice', credential: 'pat' });
    expect(response.json().scopes).toEqual(expect.arrayContaining(['vso.base', 'vso.build', 'vso.profile']));
    expect(response.headers['x-vss-userdata']).toBe(`${world.alice.id}:alice`);
    expect(response.headers.activityid).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers['x-vss-e2eid']).toBe(response.headers.activityid);
  });

  it('echoes a client X-TFS-Session and makes one up otherwise', async () => {
    const session = '6f9619ff-8b86-d011-b42d-00c04fc964ff';
    expect((await get(basic('', pat), { ...suppress, 'x-tfs-session': session })).headers['x-tfs-session']).toBe(session);
    expect((await get(basic('', pat), suppress)).headers['x-tfs-session']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an API client without credentials with 401 and the Azure DevOps authentication headers', async () => {
    const response = await get(undefined, suppress);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer authorization_uri=http://lapis.test/oauth2/authorize, Basic realm="http://lapis.test/", TFS-Federated',
    );
    expect(response.headers['x-tfs-fedauthredirect']).toMatch(/^http:\/\/lapis\.test\/_signin\?returnUrl=/);
    expect(response.headers['x-vss-authenticateerror']).toBe('Unauthorized');
    expect(response.headers['x-tfs-fedauthrealm']).toBe('http://lapis.test/');
    expect(decodeURIComponent(String(response.headers['x-tfs-serviceerror']))).toMatch(/^TF400813/);
    expect(response.json()).toMatchObject({
      $id: '1',
      typeKey: 'UnauthorizedRequestException',
      errorCode: 0,
      eventId: 3000,
      innerException: null,
    });
  });

  it('answers a browser-like GET or POST without Suppress with 203 and an HTML sign-in page', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const response = await get(undefined, {}, method);
      expect(response.statusCode).toBe(203);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toMatch(/<a href="http:\/\/lapis\.test\/_signin\?returnUrl=/);
    }
    expect((await get(basic('', 'x'.repeat(84)), {})).statusCode).toBe(203);
  });

  it('answers PATCH, OPTIONS and HEAD with 401 even without Suppress', async () => {
    for (const method of ['PATCH', 'OPTIONS', 'HEAD'] as const) expect((await get(undefined, {}, method)).statusCode).toBe(401);
  });

  it('answers every failure with a plain 401 when LAPIS_ANONYMOUS=401', async () => {
    const strict = await authProbe(store, { LAPIS_TOKEN_SECRET: secret, LAPIS_ANONYMOUS: '401' }, clock);
    expect((await strict.server.inject({ method: 'GET', url: '/contoso/_apis/probe' })).statusCode).toBe(401);
  });

  it('says when a token has expired, in the Azure DevOps words', async () => {
    clock.advance(8 * dayMs);
    const response = await get(basic('', pat), suppress);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      typeKey: 'AccessCheckException',
      message: 'Access Denied: The Personal Access Token used has expired.',
    });
    expect(response.headers['x-vss-authenticateerror']).toBe('InvalidToken');
  });

  it('refuses revoked tokens, other organizations and text/plain callers get text', async () => {
    expect((await get(basic('', pat), suppress, 'GET', 'fabrikam')).json().message).toMatch(
      /not valid for the organization 'fabrikam'/,
    );
    const [token] = await probe.lapis.services.tokens.list(world.alice);
    await probe.lapis.services.tokens.revoke(token!);
    const revoked = await get(basic('', pat), { ...suppress, accept: 'text/plain' });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.headers['content-type']).toMatch(/^text\/plain/);
    expect(revoked.body).toBe('Access Denied: The Personal Access Token used has been revoked.');
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
    const response = await get(header, suppress);
    expect(response.statusCode).toBe(401);
    expect(response.json().typeKey).toBe('UnauthorizedRequestException');
  });

  it('throttles an address after repeated failures with 429 and Retry-After, without slowing valid tokens', async () => {
    for (let i = 0; i < 5; i++) expect((await get(basic('', 'x'.repeat(52)), suppress)).statusCode).toBe(401);
    const blocked = await get(basic('', 'x'.repeat(52)), suppress);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get(basic('', pat), suppress)).statusCode).toBe(200);
    clock.advance(61_000);
    expect((await get(basic('', 'x'.repeat(52)), suppress)).statusCode).toBe(401);
  });

  it('never writes a token or a credential to the logs', async () => {
    await get(basic('', pat), suppress);
    await get(basic('someone', 'x'.repeat(52)), suppress);
    const logs = probe.logs().join('\n');
    expect(logs).not.toContain(pat);
    expect(logs).not.toContain(Buffer.from(`:${pat}`).toString('base64'));
    expect(logs).not.toContain('x'.repeat(52));
  });

  it('logs each refusal once, with its reason, the credential kind and the token id, never the token', async () => {
    const [token] = await probe.lapis.services.tokens.list(world.alice);
    const refusals = () =>
      probe
        .logs()
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.msg === 'access refused');
    await get(basic('', pat), suppress, 'GET', 'fabrikam');
    expect(refusals()).toEqual([
      expect.objectContaining({ level: 30, reason: 'wrongOrganization', credential: 'pat', authorizationId: token!.id }),
    ]);
    clock.advance(8 * dayMs);
    await get(basic('', pat), suppress);
    expect(refusals()).toHaveLength(2);
    expect(refusals()[1]).toMatchObject({ reason: 'expired', credential: 'pat', authorizationId: token!.id });
    await get(undefined, suppress);
    expect(refusals()[2]).toMatchObject({ reason: 'missing' });
    expect(refusals()[2]).not.toHaveProperty('credential');
    expect(probe.logs().join('\n')).not.toContain(pat);
  });

  describe('Azure DevOps Server with IIS Basic Authentication (LAPIS_IIS_BASIC_AUTH=true)', () => {
    it('checks Basic as user name and password, and PATs over Basic stop working', async () => {
      const iis = await authProbe(
        store,
        { LAPIS_TOKEN_SECRET: secret, LAPIS_IIS_BASIC_AUTH: 'true', LAPIS_AUTH_FAILURE_LIMIT: '3' },
        clock,
      );
      const call = (authorization: string) =>
        iis.server.inject({ method: 'GET', url: '/contoso/_apis/probe', headers: { authorization, ...suppress } });
      const password = await call(basic('alice', 'correct horse battery'));
      expect(password.statusCode).toBe(200);
      expect(password.json()).toMatchObject({ user: 'alice', credential: 'password' });
      expect((await call(basic('', pat))).statusCode).toBe(401);
      expect((await call(basic('alice', 'wrong password'))).statusCode).toBe(401);
      expect((await call(basic('alice', 'wrong password'))).statusCode).toBe(401);
      expect((await call(basic('alice', 'wrong password'))).statusCode).toBe(429);
    });

    it('accepts any credential under an organization only while its user is a member', async () => {
      const iis = await authProbe(store, { LAPIS_TOKEN_SECRET: secret, LAPIS_IIS_BASIC_AUTH: 'true' }, clock);
      await iis.lapis.services.users.add({ username: 'carol', password: 'carol password 1' });
      const call = (org: string) =>
        iis.server.inject({
          method: 'GET',
          url: `/${org}/_apis/probe`,
          headers: { authorization: basic('carol', 'carol password 1'), ...suppress },
        });
      const refused = await call('contoso');
      expect(refused.statusCode).toBe(401);
      expect(refused.json().message).toBe("TF400813: The user 'carol' is not authorized to access the organization 'contoso'.");
      await iis.lapis.services.organizations.addMember('contoso', 'carol');
      expect((await call('contoso')).statusCode).toBe(200);
      await iis.lapis.services.organizations.removeMember('contoso', 'carol');
      expect((await call('contoso')).statusCode).toBe(401);
    });
  });
});
