import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewAddressEvent } from '../../../src/services/token-usage.js';
import { type ApiFixture, apiFixture, basic } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';
import { accessTokenFor } from '../../support/oauth.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`tokens/self, expiry headers and the usage trail on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let fixture: ApiFixture;
    let url: string;
    const events: NewAddressEvent[] = [];

    beforeAll(async () => {
      lapis = await testApp(await backend.open(), {
        // Loopback may name the client in X-Forwarded-For, so one test client can stand for several addresses.
        env: { LAPIS_TRUST_PROXY: 'loopback', LAPIS_USAGE_TRAIL_SIZE: '3', LAPIS_USAGE_FLUSH_MS: '600000' },
      });
      fixture = await apiFixture(lapis);
      lapis.services.tokenUsage.onNewAddress((event) => events.push(event));
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    const get = (path: string, pat: string, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, { headers: { ...basic(pat), ...headers } });

    it('describes the calling PAT without its secret, whatever its scopes', async () => {
      const pat = await fixture.pat('vso.code');
      const response = await get('/contoso/_apis/tokens/self?api-version=7.1', pat, { 'user-agent': 'deploy-script/1.0' });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).not.toContain(pat);
      const [token] = await lapis.services.tokens.list(fixture.alice);
      expect(text).not.toContain(token!.tokenHash);
      const body = JSON.parse(text);
      expect(body).toMatchObject({
        credential: 'pat',
        authorizationId: token!.id,
        displayName: 'vso.code',
        user: { id: fixture.alice.id, username: 'alice', displayName: 'Alice Liddell' },
        scopes: ['vso.code'],
        organization: { id: fixture.organization.id, name: 'contoso' },
        projects: [],
        validFrom: token!.validFrom,
        expiresAt: token!.validTo,
        policyWarnings: [],
      });
      // This very call is in the trail before any flush.
      expect(body.usage).toEqual([expect.objectContaining({ clientAddress: '127.0.0.1', userAgent: 'deploy-script/1.0' })]);
      expect(body.lastUsedAt).toBe(body.usage[0].lastUsedAt);
    });

    it('describes an OAuth access token by its grant and app', async () => {
      const accessToken = await accessTokenFor(lapis, fixture.alice, 'vso.build');
      const response = await fetch(`${url}/contoso/_apis/tokens/self?api-version=7.2`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ credential: 'oauth', displayName: 'Build Dashboard', scopes: ['vso.build'], usage: [] });
      expect(response.headers.get('x-lapis-token-expires-at')).toBe(body.expiresAt);
      expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    });

    it('names the expiry of the credential on every answer, and warns within the window', async () => {
      const pat = await fixture.pat('vso.project');
      const far = await get('/contoso/_apis/projects?api-version=7.1', pat);
      expect(far.status).toBe(200);
      const token = (await lapis.services.tokens.list(fixture.alice)).find((t) => t.displayName === 'vso.project');
      expect(far.headers.get('x-lapis-token-expires-at')).toBe(token!.validTo);
      expect(far.headers.get('x-lapis-token-expiry-warning')).toBeNull();

      const soon = await lapis.services.tokens.create({
        user: fixture.alice,
        displayName: 'soon',
        scope: 'vso.project',
        organizationId: fixture.organization.id,
        days: 3,
      });
      const near = await get('/contoso/_apis/projects?api-version=7.1', soon.text);
      expect(near.status).toBe(200);
      expect(near.headers.get('x-lapis-token-expires-at')).toBe(soon.token.validTo);
      expect(near.headers.get('x-lapis-token-expiry-warning')).toMatch(
        new RegExp(`^[23] days left: this personal access token expires at ${soon.token.validTo}$`),
      );
      // A refusal for scope is still an answer to this credential.
      const refused = await get('/contoso/_apis/build/builds?api-version=7.1', soon.text);
      expect(refused.status).toBe(401);
      expect((await refused.json()).message).toMatch(/lacks the scope vso.build/);
      expect(refused.headers.get('x-lapis-token-expiry-warning')).toMatch(/^[23] days left/);
      // Unauthenticated answers name no expiry.
      const anonymous = await fetch(`${url}/contoso/_apis/projects?api-version=7.1`);
      expect(anonymous.headers.get('x-lapis-token-expires-at')).toBeNull();
    });

    it('keeps the last N distinct addresses per token, writes them in batches and reports new addresses once', async () => {
      const created = await lapis.services.tokens.create({
        user: fixture.alice,
        displayName: 'trail',
        scope: 'vso.project',
        organizationId: fixture.organization.id,
        days: 30,
      });
      // Each use in a millisecond of its own: a trail is ordered by last use to the millisecond, and two requests
      // within one tie (CI's Node 24 leg once kept 2001:db8::7 over 203.0.113.1, both used in the same millisecond).
      const from = async (address: string, agent: string) => {
        const start = Date.now();
        while (Date.now() === start) await new Promise((resolve) => setTimeout(resolve, 1));
        return get('/contoso/_apis/projects?api-version=7.1', created.text, { 'x-forwarded-for': address, 'user-agent': agent });
      };
      for (const address of ['203.0.113.1', '203.0.113.2', '2001:db8::7'])
        expect((await from(address, 'first')).status).toBe(200);
      expect((await from('203.0.113.1', 'second')).status).toBe(200);
      // Nothing is written by the requests themselves.
      expect(await lapis.store.tokenUsage.listFor([created.token.id])).toEqual([]);

      await lapis.services.tokenUsage.flush();
      const stored = await lapis.store.tokenUsage.listFor([created.token.id]);
      expect(stored.map((use) => use.clientAddress).sort()).toEqual(['2001:db8::7', '203.0.113.1', '203.0.113.2']);
      expect(stored.find((use) => use.clientAddress === '203.0.113.1')?.userAgent).toBe('second');
      const mine = () => events.filter((event) => event.tokenId === created.token.id).map((event) => event.clientAddress);
      expect(mine().sort()).toEqual(['2001:db8::7', '203.0.113.1', '203.0.113.2']);

      // A known address is no news; a fourth pushes the least recent one out of a trail of three.
      expect((await from('203.0.113.2', 'third')).status).toBe(200);
      expect((await from('198.51.100.9', 'fourth')).status).toBe(200);
      await lapis.services.tokenUsage.flush();
      expect(mine()).toHaveLength(4);
      expect(mine()).toContain('198.51.100.9');
      const trail = await lapis.services.tokenUsage.trailOf(created.token.id);
      expect(trail.map((use) => use.clientAddress)).toEqual(['198.51.100.9', '203.0.113.2', '203.0.113.1']);

      const body = await (
        await get('/contoso/_apis/tokens/self?api-version=7.1', created.text, { 'x-forwarded-for': '198.51.100.9' })
      ).json();
      expect(body.usage.map((use: { clientAddress: string }) => use.clientAddress)).toEqual([
        '198.51.100.9',
        '203.0.113.2',
        '203.0.113.1',
      ]);
    });

    it('writes what is buffered when the server stops', async () => {
      const store = lapis.store;
      // Another app over the same store, with a token secret of its own: its tokens are minted by it.
      const second = await testApp(store);
      const created = await second.services.tokens.create({
        user: fixture.alice,
        displayName: 'last words',
        scope: 'vso.project',
        organizationId: fixture.organization.id,
        days: 30,
      });
      await second.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (second.app.server.address() as AddressInfo).port;
      const response = await fetch(`http://127.0.0.1:${port}/contoso/_apis/projects?api-version=7.1`, {
        headers: basic(created.text),
      });
      expect(response.status).toBe(200);
      await second.app.close();
      const stored = await store.tokenUsage.listFor([created.token.id]);
      expect(stored).toEqual([expect.objectContaining({ clientAddress: '127.0.0.1' })]);
    });
  });
}
