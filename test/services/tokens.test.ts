import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { backends } from '../support/backends.js';
import { dayMs, movableClock } from '../support/clock.js';
import { seedWorld, type World } from '../support/world.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`token service on ${backend.name}`, () => {
    let store: KyselyStore;
    let world: World;
    const clock = movableClock();
    beforeEach(async () => {
      clock.set('2026-06-01T12:00:00.000Z');
      store = await backend.open();
      world = await seedWorld(store, clock);
    });
    afterAll(() => backend.cleanup());

    it('returns the token once and stores only its keyed hash', async () => {
      const { token, text } = await world.services.tokens.create({
        user: world.alice,
        displayName: 'ci',
        scope: 'vso.build vso.project',
        organizationId: world.contoso.id,
        days: 30,
      });
      expect(text).toHaveLength(84);
      expect(token.tokenHash).toBe(world.services.hasher.hash(text));
      expect(token.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      const rows = await store.kysely.selectFrom('personal_access_tokens').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(text);
      expect(JSON.stringify(rows)).not.toContain(text.slice(0, 40));
      expect(token.validTo).toBe(new Date(Date.parse('2026-06-01T12:00:00.000Z') + 30 * dayMs).toISOString());
    });

    it('applies the expiry rules: default lifetime, no past dates, at most the maximum', async () => {
      const input = { user: world.alice, displayName: 'x', scope: 'vso.build', organizationId: null };
      const { token } = await world.services.tokens.create(input);
      expect(Date.parse(token.validTo) - Date.parse(token.validFrom)).toBe(30 * dayMs);
      await expect(world.services.tokens.create({ ...input, validTo: new Date('2026-05-01T00:00:00Z') })).rejects.toThrow(
        /must be in the future/,
      );
      await expect(world.services.tokens.create({ ...input, days: 366 })).rejects.toThrow(/at most 365 days/);
      await expect(world.services.tokens.create({ ...input, days: 0 })).rejects.toThrow(/at least 1/);
      const year = await world.services.tokens.create({ ...input, days: 365 });
      expect(year.token.validTo).toBe('2027-06-01T12:00:00.000Z');
    });

    it('refuses unknown scopes, empty names and organizations the user does not belong to', async () => {
      const input = { user: world.bob, displayName: 'x', scope: 'vso.build', organizationId: world.contoso.id };
      await expect(world.services.tokens.create({ ...input, scope: 'vso.build vso.wat' })).rejects.toThrow(
        /Unknown scope: vso.wat/,
      );
      await expect(world.services.tokens.create({ ...input, displayName: '  ' })).rejects.toThrow(/needs a name/);
      await expect(world.services.tokens.create({ ...input, organizationId: world.fabrikam.id })).rejects.toThrow(
        /not a member of "fabrikam"/,
      );
    });

    it('lists newest first, revokes, updates and regenerates', async () => {
      const first = await world.services.tokens.create({
        user: world.alice,
        displayName: 'one',
        scope: 'vso.build',
        organizationId: null,
      });
      clock.advance(1000);
      const second = await world.services.tokens.create({
        user: world.alice,
        displayName: 'two',
        scope: 'vso.code',
        organizationId: null,
      });
      expect((await world.services.tokens.list(world.alice)).map((t) => t.displayName)).toEqual(['two', 'one']);

      const revoked = await world.services.tokens.revoke(first.token);
      expect(revoked.revokedAt).toBe(clock.now().toISOString());
      await expect(world.services.tokens.update(revoked, world.alice, { displayName: 'again' })).rejects.toThrow(
        /revoked token cannot be changed/,
      );

      const updated = await world.services.tokens.update(second.token, world.alice, {
        displayName: 'renamed',
        scope: 'vso.code_write',
      });
      expect(await world.services.tokens.get(second.token.id)).toMatchObject({
        displayName: 'renamed',
        scopes: ['vso.code_write'],
      });

      const regenerated = await world.services.tokens.regenerate(updated, world.alice);
      expect(regenerated.text).not.toBe(second.text);
      expect(regenerated.token).toMatchObject({ displayName: 'renamed', scopes: ['vso.code_write'], organizationId: null });
      expect((await world.services.tokens.get(second.token.id)).revokedAt).not.toBeNull();
    });

    it("hides other users' tokens behind tokenNotFound", async () => {
      const { token } = await world.services.tokens.create({
        user: world.alice,
        displayName: 'a',
        scope: 'vso.build',
        organizationId: null,
      });
      await expect(world.services.tokens.getOwned(world.bob, token.id)).rejects.toMatchObject({ code: 'tokenNotFound' });
      expect((await world.services.tokens.getOwned(world.alice, token.id)).id).toBe(token.id);
    });

    it('imports a legacy 52-character token and refuses one registered twice', async () => {
      const legacy = 'DIP55DWF4VPITOMW63JZVOMEFMI2JLUGUPRZWWQWUC6XQ4FHOCWQ';
      const input = { user: world.alice, displayName: 'old', scope: 'vso.build', organizationId: null };
      const imported = await world.services.tokens.import(input, legacy);
      expect(imported.token.tokenHash).toBe(world.services.hasher.hash(legacy.toLowerCase()));
      await expect(world.services.tokens.import(input, legacy.toLowerCase())).rejects.toThrow(/already registered/);
      await expect(world.services.tokens.import(input, 'not-a-token')).rejects.toThrow(/not a 52-character/);
    });
  });
}
