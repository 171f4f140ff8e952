import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Project } from '../../src/domain/entities.js';
import type { RestrictionsInput } from '../../src/services/tokens.js';
import { type ApiFixture, apiFixture } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { movableClock } from '../support/clock.js';

type Lapis = Awaited<ReturnType<typeof testApp>>;

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`token restrictions through a listening server on ${backend.name}`, () => {
    const clock = movableClock('2026-06-01T12:00:10.000Z');
    let lapis: Lapis;
    let fixture: ApiFixture;
    let other: Project;
    let port: number;

    beforeAll(async () => {
      // One proxy hop is trusted, so X-Forwarded-For names the client as it does behind a load balancer.
      lapis = await testApp(await backend.open(), { clock, env: { LAPIS_TRUST_PROXY: '1' } });
      fixture = await apiFixture(lapis);
      other = await lapis.services.projects.add(fixture.organization.id, { name: 'api' });
      // Dual stack: IPv4 clients arrive as ::ffff:a.b.c.d, IPv6 clients as themselves.
      await lapis.app.listen({ port: 0, host: '::' });
      port = (lapis.app.server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    async function token(scope: string, restrictions: RestrictionsInput): Promise<string> {
      const created = await lapis.services.tokens.create({
        user: fixture.alice,
        displayName: 'restricted',
        scope,
        organizationId: fixture.organization.id,
        days: 7,
        restrictions,
      });
      return created.text;
    }

    function call(pat: string, path: string, init: { method?: string; headers?: Record<string, string>; host?: string } = {}) {
      return fetch(`http://${init.host ?? '127.0.0.1'}:${port}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Basic ${Buffer.from(`:${pat}`).toString('base64')}`,
          'x-tfs-fedauthredirect': 'Suppress',
          ...init.headers,
        },
      });
    }

    it('names the scope that was needed and the scopes that were granted', async () => {
      const pat = await fixture.pat('vso.build vso.code');
      const response = await call(pat, '/contoso/web/_apis/build/builds?api-version=7.1', { method: 'POST' });
      expect(response.status).toBe(401);
      const body = await response.json();
      expect(body.message).toBe(
        'Access Denied: this personal access token lacks the scope vso.build_execute (Build (read and execute)) required for POST build/builds; it grants vso.build vso.code.',
      );
      expect(body).toMatchObject({
        typeKey: 'AccessCheckException',
        customProperties: { RequiredScopes: ['vso.build_execute'], GrantedScopes: ['vso.build', 'vso.code'] },
      });
    });

    it('lets a project-restricted token act in its project only, and only read outside projects', async () => {
      const pat = await token('vso.build vso.project_manage', { projects: ['web'] });
      expect((await call(pat, '/contoso/web/_apis/build/definitions?api-version=7.1')).status).toBe(200);
      expect((await call(pat, `/contoso/_apis/projects/${fixture.project.id}?api-version=7.1`)).status).toBe(200);
      expect((await call(pat, '/contoso/_apis/projects?api-version=7.1')).status).toBe(200);

      const elsewhere = await call(pat, '/contoso/api/_apis/build/definitions?api-version=7.1');
      expect(elsewhere.status).toBe(403);
      const body = await elsewhere.json();
      expect(body.message).toBe(
        `Access Denied: this personal access token is restricted to the project ids ${fixture.project.id}; it may not be used for GET build/definitions in the project 'api'.`,
      );
      expect(body).toMatchObject({
        typeKey: 'AccessCheckException',
        customProperties: { Restriction: 'project', AllowedProjectIds: [fixture.project.id], RequestedProject: 'api' },
      });
      expect((await call(pat, `/contoso/_apis/projects/${other.id}?api-version=7.1`)).status).toBe(403);
      // A project that does not exist looks the same as one the token may not reach.
      const missing = await call(pat, '/contoso/nowhere/_apis/build/definitions?api-version=7.1');
      expect(missing.status).toBe(403);
      const create = await call(pat, '/contoso/_apis/projects?api-version=7.1', { method: 'POST' });
      expect(create.status).toBe(403);
      expect((await create.json()).message).toContain('outside a project it may only read, not POST core/projects');
    });

    it('refuses a read-only token every method that writes, even behind X-HTTP-Method-Override', async () => {
      const pat = await token('vso.build_execute', { readOnly: true });
      const read = await call(pat, '/contoso/web/_apis/build/builds?api-version=7.1');
      expect(read.status).toBe(200);
      expect((await call(pat, '/contoso/web/_apis/build/builds?api-version=7.1', { method: 'HEAD' })).status).toBe(200);
      const write = await call(pat, '/contoso/web/_apis/build/builds?api-version=7.1', { method: 'POST' });
      expect(write.status).toBe(403);
      const body = await write.json();
      expect(body.message).toBe(
        'Access Denied: this personal access token is read-only (GET, HEAD and OPTIONS); POST build/builds needs a token that may write.',
      );
      expect(body.customProperties).toMatchObject({ Restriction: 'readOnly', RequestedMethod: 'POST' });
      const overridden = await call(pat, '/contoso/web/_apis/build/builds/1?api-version=7.1', {
        method: 'POST',
        headers: { 'x-http-method-override': 'PATCH' },
      });
      expect(overridden.status).toBe(403);
    });

    it('admits a token only from its address ranges, IPv4, IPv4-mapped and IPv6, honouring LAPIS_TRUST_PROXY', async () => {
      const path = '/contoso/web/_apis/build/builds?api-version=7.1';
      const lan = await token('vso.build', { allowedAddresses: ['10.0.0.0/8'] });
      // The peer is the trusted proxy; the client is what it forwarded.
      expect((await call(lan, path, { headers: { 'x-forwarded-for': '10.1.2.3' } })).status).toBe(200);
      const outside = await call(lan, path, { headers: { 'x-forwarded-for': '198.51.100.7' } });
      expect(outside.status).toBe(403);
      const body = await outside.json();
      expect(body.message).toBe(
        'Access Denied: this personal access token may be used only from 10.0.0.0/8; this request came from 198.51.100.7.',
      );
      expect(body.customProperties).toMatchObject({
        Restriction: 'address',
        AllowedAddresses: ['10.0.0.0/8'],
        ClientAddress: '198.51.100.7',
      });

      const loopback4 = await token('vso.build', { allowedAddresses: ['127.0.0.1'] });
      expect((await call(loopback4, path)).status).toBe(200);
      expect((await call(loopback4, path, { host: '[::1]' })).status).toBe(403);
      const mapped = await token('vso.build', { allowedAddresses: ['::ffff:127.0.0.0/104'] });
      expect((await call(mapped, path)).status).toBe(200);
      const loopback6 = await token('vso.build', { allowedAddresses: ['::1/128', '2001:db8::/32'] });
      expect((await call(loopback6, path, { host: '[::1]' })).status).toBe(200);
      expect((await call(loopback6, path)).status).toBe(403);
      expect((await call(loopback6, path, { headers: { 'x-forwarded-for': '2001:db8:1::5' } })).status).toBe(200);
    });

    it('counts a rate-limited token, tells it where it stands on every answer, and answers 429 past the limit', async () => {
      const pat = await token('vso.build', { rateLimit: '3/min' });
      const path = '/contoso/web/_apis/build/builds?api-version=7.1';
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await call(pat, path);
        expect(response.status).toBe(200);
        expect(response.headers.get('ratelimit-limit')).toBe('3');
        expect(response.headers.get('ratelimit-reset')).toBe('50');
        remaining.push(response.headers.get('ratelimit-remaining') ?? '');
      }
      expect(remaining).toEqual(['2', '1', '0']);
      const refused = await call(pat, path);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('50');
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      const body = await refused.json();
      expect(body).toMatchObject({
        typeKey: 'RequestBlockedException',
        message: 'This personal access token is limited to 3 requests per window; the window starts afresh in 50 seconds.',
        customProperties: { Restriction: 'rate', Limit: 3, ResetSeconds: 50 },
      });
      // A refusal for another reason is an answer made with the token too: it carries the headers.
      const elsewhere = await call(pat, '/contoso/web/_apis/build/builds?api-version=7.1', { method: 'POST' });
      expect(elsewhere.status).toBe(401);
      expect(elsewhere.headers.get('ratelimit-limit')).toBe('3');

      clock.advance(50_000);
      const next = await call(pat, path);
      expect(next.status).toBe(200);
      expect(next.headers.get('ratelimit-remaining')).toBe('2');
      expect(next.headers.get('ratelimit-reset')).toBe('60');
      // Unrestricted tokens carry no rate headers at all.
      const plain = await call(await fixture.pat('vso.build'), path);
      expect(plain.headers.get('ratelimit-limit')).toBeNull();
    });

    it('refuses restrictions it cannot honour with a clear message', async () => {
      await expect(token('vso.build', { allowedAddresses: ['10.0.0.0/33'] })).rejects.toThrow(/not an address range/);
      await expect(token('vso.build', { rateLimit: 'lots' })).rejects.toThrow(/not a count per window/);
      await expect(token('vso.build', { projects: ['nowhere'] })).rejects.toThrow(/no project "nowhere"/);
      await expect(
        lapis.services.tokens.create({
          user: fixture.alice,
          displayName: 'global',
          scope: 'vso.build',
          organizationId: null,
          days: 7,
          restrictions: { projects: ['web'] },
        }),
      ).rejects.toThrow(/needs a token limited to one organization/);
    });

    it('applies edited restrictions at once, and a regenerated token keeps them', async () => {
      const created = await lapis.services.tokens.create({
        user: fixture.alice,
        displayName: 'edited',
        scope: 'vso.build',
        organizationId: fixture.organization.id,
        days: 7,
      });
      const path = '/contoso/web/_apis/build/builds?api-version=7.1';
      expect((await call(created.text, path, { headers: { 'x-forwarded-for': '198.51.100.7' } })).status).toBe(200);
      const edited = await lapis.services.tokens.update(created.token, fixture.alice, {
        restrictions: { allowedAddresses: ['10.0.0.0/8'], readOnly: true },
      });
      expect((await call(created.text, path, { headers: { 'x-forwarded-for': '198.51.100.7' } })).status).toBe(403);
      const regenerated = await lapis.services.tokens.regenerate(edited, fixture.alice);
      expect(regenerated.token.restrictions).toEqual({
        projectIds: [],
        readOnly: true,
        allowedAddresses: ['10.0.0.0/8'],
        rateLimit: null,
      });
      expect((await call(regenerated.text, path, { headers: { 'x-forwarded-for': '10.9.9.9' } })).status).toBe(200);
      const cleared = await lapis.services.tokens.update(regenerated.token, fixture.alice, { restrictions: {} });
      expect(cleared.restrictions).toBeUndefined();
      expect((await call(regenerated.text, path, { headers: { 'x-forwarded-for': '198.51.100.7' } })).status).toBe(200);
    });
  });
}
