import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/compose.js';
import { compileRules } from '../../src/domain/revocation-rules.js';
import { MembershipCache } from '../../src/services/membership-cache.js';
import { PatVerifier } from '../../src/services/pat-verifier.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { testConfig } from '../support/app.js';
import { backends, openSecondConnection } from '../support/backends.js';
import { dayMs, movableClock } from '../support/clock.js';
import { seedWorld, type World } from '../support/world.js';

const secret = 'ab'.repeat(32);

/** Counts the store lookups of tokens by hash from now on (the verifier's cache misses). */
function countLookups(store: KyselyStore): { readonly count: number } {
  const counter = { count: 0 };
  const original = store.tokens.findByHashWithOwner.bind(store.tokens);
  store.tokens.findByHashWithOwner = async (hash) => {
    counter.count++;
    return original(hash);
  };
  return counter;
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`PAT verification on ${backend.name}`, () => {
    let store: KyselyStore;
    let world: World;
    let verifier: PatVerifier;
    const clock = movableClock();
    beforeEach(async () => {
      clock.set('2026-06-01T12:00:00.000Z');
      store = await backend.open();
      world = await seedWorld(store, clock, { LAPIS_TOKEN_SECRET: secret });
      verifier = new PatVerifier(
        world.services.context,
        world.services.hasher,
        new MembershipCache(world.services.context, 500),
        { acceptLegacy: true, cacheMs: 500 },
      );
    });
    afterAll(() => backend.cleanup());

    const create = (overrides: Partial<Parameters<World['services']['tokens']['create']>[0]> = {}) =>
      world.services.tokens.create({
        user: world.alice,
        displayName: 't',
        scope: 'vso.build',
        organizationId: world.contoso.id,
        days: 10,
        ...overrides,
      });

    it("identifies an active token with its organization binding and its user's memberships", async () => {
      const bound = await create({ user: world.bob });
      const result = await verifier.verify(bound.text);
      expect(result.status).toBe('active');
      if (result.status !== 'active') return;
      expect(result.token.organizationId).toBe(world.contoso.id);
      expect([...result.memberOf]).toEqual([world.contoso.id]);
    });

    it('judges expiry against the clock', async () => {
      const { text } = await create({ days: 1 });
      clock.advance(dayMs - 1);
      expect((await verifier.verify(text)).status).toBe('active');
      clock.advance(1);
      expect((await verifier.verify(text)).status).toBe('expired');
    });

    it('stops a token at once when it is revoked or its user disabled, and drops a removed membership at once', async () => {
      const revoked = await create();
      expect((await verifier.verify(revoked.text)).status).toBe('active');
      await world.services.tokens.revoke(revoked.token);
      expect((await verifier.verify(revoked.text)).status).toBe('revoked');

      const bobs = await create({ user: world.bob });
      expect((await verifier.verify(bobs.text)).status).toBe('active');
      await world.services.organizations.removeMember('contoso', 'bob');
      expect(await verifier.verify(bobs.text)).toMatchObject({ status: 'active', memberOf: new Set() });

      const alices = await create();
      expect((await verifier.verify(alices.text)).status).toBe('active');
      await world.services.users.disable('alice');
      expect((await verifier.verify(alices.text)).status).toBe('disabledUser');
    });

    it('refuses malformed and forged tokens before touching storage', async () => {
      const { text } = await create();
      const lookups = countLookups(store);
      const forged = `${text.slice(0, 10)}${text[10] === 'a' ? 'b' : 'a'}${text.slice(11)}`;
      expect((await verifier.verify(forged)).status).toBe('malformed');
      expect((await verifier.verify('password123')).status).toBe('malformed');
      expect(lookups.count).toBe(0);
      expect((await verifier.verify('a'.repeat(52))).status).toBe('unknown');
      expect(lookups.count).toBe(1);
    });

    it('writes last-used at most once a minute per token', async () => {
      const { token, text } = await create();
      let writes = 0;
      const original = store.tokens.setLastUsed.bind(store.tokens);
      store.tokens.setLastUsed = async (id, at) => {
        writes++;
        return original(id, at);
      };
      for (let i = 0; i < 20; i++) {
        await verifier.verify(text);
        clock.advance(1000);
      }
      expect(writes).toBe(1);
      clock.advance(60_000);
      await verifier.verify(text);
      expect(writes).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await store.tokens.findById(token.id))?.lastUsedAt).toBe(clock.now().toISOString());
    });

    it('accepts a legacy token typed in any case, and refuses every legacy token when legacy tokens are off', async () => {
      const legacy = 'dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq';
      await world.services.tokens.import(
        { user: world.alice, displayName: 'old', scope: 'vso.build', organizationId: null, days: 10 },
        legacy.toUpperCase(),
      );
      expect((await verifier.verify(legacy)).status).toBe('active');
      expect((await verifier.verify(legacy.toUpperCase())).status).toBe('active');
      const strict = new PatVerifier(
        world.services.context,
        world.services.hasher,
        new MembershipCache(world.services.context, 500),
        {
          acceptLegacy: false,
          cacheMs: 500,
        },
      );
      expect((await strict.verify(legacy)).status).toBe('malformed');
      expect((await strict.verify((await create()).text)).status).toBe('active');
    });

    it('caches known tokens for the cache lifetime, and never unknown ones', async () => {
      const { text } = await create();
      const lookups = countLookups(store);
      await verifier.verify(text);
      await verifier.verify(text);
      expect(lookups.count).toBe(1);
      clock.advance(500);
      await verifier.verify(text);
      expect(lookups.count).toBe(2);
      const unknown = 'b'.repeat(52);
      await verifier.verify(unknown);
      await verifier.verify(unknown);
      expect(lookups.count).toBe(4);
    });

    it('finds a legacy token typed in another case in memory, and never lets a token in memory vouch for a forged one', async () => {
      const legacy = 'dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq';
      await world.services.tokens.import(
        { user: world.alice, displayName: 'old', scope: 'vso.build', organizationId: null, days: 10 },
        legacy,
      );
      const { text } = await create();
      const lookups = countLookups(store);
      expect((await verifier.verify(legacy.toUpperCase())).status).toBe('active');
      expect(verifier.verify(legacy)).toMatchObject({ status: 'active' });
      expect(verifier.verify(`${legacy.slice(0, 20).toUpperCase()}${legacy.slice(20)}`)).toMatchObject({ status: 'active' });
      expect((await verifier.verify(text)).status).toBe('active');
      // The same random part and signature with another checksum: the shape check still refuses it.
      const last = text.at(-1) === 'a' ? 'b' : 'a';
      expect(verifier.verify(`${text.slice(0, -1)}${last}`)).toEqual({ status: 'malformed' });
      expect(lookups.count).toBe(2);
    });

    it('answers a token held in memory as a value, equal to the answer of the lookup that loaded it', async () => {
      const { text } = await create({ user: world.bob });
      const loading = verifier.verify(text);
      expect(loading).toBeInstanceOf(Promise);
      const loaded = await loading;
      const remembered = verifier.verify(text);
      expect(remembered).not.toBeInstanceOf(Promise);
      expect(remembered).toEqual(loaded);
      expect(loaded).toMatchObject({ status: 'active', memberOf: new Set([world.contoso.id]) });
    });

    it('looks a token up in the store by its keyed hash, and refuses it from memory the moment it expires', async () => {
      const { text, token } = await create({ days: 1 });
      const asked: string[] = [];
      const original = store.tokens.findByHashWithOwner.bind(store.tokens);
      store.tokens.findByHashWithOwner = async (hash) => {
        asked.push(hash);
        return original(hash);
      };
      clock.advance(dayMs - 100);
      expect((await verifier.verify(text)).status).toBe('active');
      expect(asked).toEqual([world.services.hasher.hash(text)]);
      expect(asked[0]).toBe((await store.tokens.findById(token.id))?.tokenHash);
      clock.advance(100);
      const expired = verifier.verify(text);
      expect(expired).not.toBeInstanceOf(Promise);
      expect(await expired).toMatchObject({ status: 'expired', token: { id: token.id } });
      expect(asked).toHaveLength(1);
    });

    it('keeps tokens apart in memory: each text is answered with its own token', async () => {
      const first = await create();
      const second = await create();
      expect(await verifier.verify(first.text)).toMatchObject({ status: 'active', token: { id: first.token.id } });
      expect(await verifier.verify(second.text)).toMatchObject({ status: 'active', token: { id: second.token.id } });
      expect(verifier.verify(first.text)).toMatchObject({ status: 'active', token: { id: first.token.id } });
      expect(verifier.verify(second.text)).toMatchObject({ status: 'active', token: { id: second.token.id } });
    });

    it('hands back the restrictions loaded with the token, and none for an unrestricted token', async () => {
      const restricted = await create({ restrictions: { readOnly: true, allowedAddresses: ['10.0.0.0/8'] } });
      const result = await verifier.verify(restricted.text);
      if (result.status !== 'active') throw new Error(`expected active, got ${result.status}`);
      expect(result.restrictions).toMatchObject({ readOnly: true, projectIds: null, rateLimit: null });
      expect(result.restrictions?.addresses?.allows('10.1.2.3')).toBe(true);
      expect(result.restrictions?.addresses?.allows('192.0.2.1')).toBe(false);
      expect(await verifier.verify((await create()).text)).toMatchObject({ status: 'active', restrictions: undefined });
    });

    it('tells the background error handler when writing last-used fails, and still admits the token', async () => {
      const { text } = await create();
      const failure = new Error('disk full');
      store.tokens.setLastUsed = () => Promise.reject(failure);
      const errors: unknown[] = [];
      const reporting = new PatVerifier(
        world.services.context,
        world.services.hasher,
        new MembershipCache(world.services.context, 500),
        {
          acceptLegacy: true,
          cacheMs: 500,
          onBackgroundError: (error) => errors.push(error),
        },
      );
      expect((await reporting.verify(text)).status).toBe('active');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errors).toEqual([failure]);
    });

    it('forgets last-used times once it holds as many as its cache, so a token seen again is written again', async () => {
      const first = await create();
      const second = await create();
      let writes = 0;
      const original = store.tokens.setLastUsed.bind(store.tokens);
      store.tokens.setLastUsed = async (id, at) => {
        writes++;
        return original(id, at);
      };
      const small = new PatVerifier(
        world.services.context,
        world.services.hasher,
        new MembershipCache(world.services.context, 500),
        {
          acceptLegacy: true,
          cacheMs: 500,
          maxCacheEntries: 1,
        },
      );
      await small.verify(first.text);
      await small.verify(first.text);
      expect(writes).toBe(1);
      await small.verify(second.text);
      await small.verify(first.text);
      expect(writes).toBe(3);
    });

    it('writes last-used again exactly a minute later, and keeps one time per token', async () => {
      const first = await create();
      const second = await create();
      let writes = 0;
      const original = store.tokens.setLastUsed.bind(store.tokens);
      store.tokens.setLastUsed = async (id, at) => {
        writes++;
        return original(id, at);
      };
      await verifier.verify(first.text);
      await verifier.verify(second.text);
      await verifier.verify(first.text);
      expect(writes).toBe(2);
      clock.advance(60_000);
      await verifier.verify(first.text);
      expect(writes).toBe(3);
    });

    it('revokes a token by an organization rule made after it, and counts its cache hits and misses', async () => {
      const { text, token } = await create();
      const rule = {
        id: 'r1',
        organizationId: world.contoso.id,
        scopes: ['vso.build'],
        createdBefore: new Date(clock.now().getTime() + 1000).toISOString(),
        createdBy: world.alice.id,
        createdAt: clock.now().toISOString(),
      };
      const ruled = new PatVerifier(
        world.services.context,
        world.services.hasher,
        new MembershipCache(world.services.context, 500),
        {
          acceptLegacy: true,
          cacheMs: 500,
          rules: { current: async () => compileRules([rule]) },
        },
      );
      expect(await ruled.verify(text)).toMatchObject({
        status: 'revoked',
        token: { id: token.id },
        user: { id: world.alice.id },
      });
      clock.advance(2000);
      expect((await ruled.verify((await create()).text)).status).toBe('active');
      expect(ruled.cacheStats).toEqual({ hits: 0, misses: 2 });
      await ruled.verify(text);
      expect(ruled.cacheStats).toEqual({ hits: 0, misses: 3 });
    });

    it('honours a revocation made by another process on the same database at the latest once its cache lifetime passes', async () => {
      const { token, text } = await create();
      const other = openSecondConnection(store);
      try {
        const otherServices = buildServices(other, clock, testConfig({ LAPIS_TOKEN_SECRET: secret }));
        const otherVerifier = new PatVerifier(
          otherServices.context,
          otherServices.hasher,
          new MembershipCache(otherServices.context, 500),
          { acceptLegacy: true, cacheMs: 500 },
        );
        expect((await otherVerifier.verify(text)).status).toBe('active');
        await world.services.tokens.revoke(token);
        // The change feed may bring the notice sooner; the cache lifetime is the bound when it does not.
        clock.advance(500);
        expect((await otherVerifier.verify(text)).status).toBe('revoked');
      } finally {
        await other.close();
      }
    });
  });
}
