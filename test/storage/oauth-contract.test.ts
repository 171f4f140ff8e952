import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../src/domain/entities.js';
import type { OAuthApp, OAuthGrant } from '../../src/domain/oauth.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { DuplicateKeyError } from '../../src/storage/ports.js';
import { backends } from '../support/backends.js';

const t0 = '2026-01-01T00:00:00.000Z';

function user(username: string): User {
  return {
    id: randomUUID(),
    username,
    displayName: username,
    email: null,
    passwordHash: null,
    isAdmin: false,
    disabledAt: null,
    createdAt: t0,
  };
}

function app(ownerId: string, overrides: Partial<OAuthApp> = {}): OAuthApp {
  return {
    id: randomUUID(),
    ownerId,
    name: 'Dashboard',
    company: 'Example',
    website: 'https://example.test',
    description: 'Shows builds',
    callbackUrls: ['https://example.test/cb', 'http://localhost:3000/cb?x=1'],
    scopes: ['vso.build', 'vso.profile'],
    secretHash: randomUUID().replaceAll('-', ''),
    secretCreatedAt: t0,
    isPublic: false,
    createdAt: t0,
    ...overrides,
  };
}

function grant(appId: string, userId: string, createdAt = t0): OAuthGrant {
  return { id: randomUUID(), appId, userId, scopes: ['vso.build'], createdAt, revokedAt: null };
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`OAuth storage on ${backend.name}`, () => {
    let store: KyselyStore;
    let alice: User;
    beforeEach(async () => {
      store = await backend.open();
      alice = user('alice');
      await store.users.insert(alice);
    });
    afterAll(() => backend.cleanup());

    it('stores apps with their callbacks and scopes, lists them by owner, rotates the secret hash', async () => {
      const bob = user('bob');
      await store.users.insert(bob);
      const first = app(alice.id);
      const second = app(bob.id, { createdAt: '2026-01-02T00:00:00.000Z', isPublic: true });
      await store.oauthApps.insert(first);
      await store.oauthApps.insert(second);
      expect(await store.oauthApps.findById(first.id.toUpperCase())).toEqual(first);
      expect((await store.oauthApps.list()).map((a) => a.id)).toEqual([first.id, second.id]);
      expect((await store.oauthApps.list(bob.id)).map((a) => a.id)).toEqual([second.id]);
      expect(await store.oauthApps.findById(second.id)).toEqual(second);
      await store.oauthApps.setSecretHash(first.id, 'ff'.repeat(32), '2026-03-03T00:00:00.000Z');
      expect(await store.oauthApps.findById(first.id)).toMatchObject({
        secretHash: 'ff'.repeat(32),
        secretCreatedAt: '2026-03-03T00:00:00.000Z',
      });
      await expect(store.oauthApps.insert(app(alice.id, { secretHash: 'ff'.repeat(32) }))).rejects.toBeInstanceOf(
        DuplicateKeyError,
      );
    });

    it('revokes a grant once and lists a user’s grants newest first', async () => {
      const registered = app(alice.id);
      await store.oauthApps.insert(registered);
      const older = grant(registered.id, alice.id);
      const newer = grant(registered.id, alice.id, '2026-02-01T00:00:00.000Z');
      await store.oauthGrants.insert(older);
      await store.oauthGrants.insert(newer);
      expect((await store.oauthGrants.listForUser(alice.id)).map((g) => g.id)).toEqual([newer.id, older.id]);
      expect(await store.oauthGrants.revoke(older.id, t0)).toBe(true);
      expect(await store.oauthGrants.revoke(older.id, t0)).toBe(false);
      expect((await store.oauthGrants.findById(older.id))?.revokedAt).toBe(t0);
    });

    it('uses a code or a refresh token exactly once, even when two uses race', async () => {
      const registered = app(alice.id);
      await store.oauthApps.insert(registered);
      const g = grant(registered.id, alice.id);
      await store.oauthGrants.insert(g);
      const code = {
        codeHash: 'aa'.repeat(32),
        grantId: g.id,
        redirectUri: 'https://example.test/cb',
        codeChallenge: 'x'.repeat(43),
        createdAt: t0,
        expiresAt: '2026-01-01T00:05:00.000Z',
        usedAt: null,
      };
      await store.oauthGrants.insertCode(code);
      expect(await store.oauthGrants.findCode(code.codeHash)).toEqual(code);
      const uses = await Promise.all([
        store.oauthGrants.useCode(code.codeHash, t0),
        store.oauthGrants.useCode(code.codeHash, t0),
      ]);
      expect(uses.filter(Boolean)).toHaveLength(1);
      expect((await store.oauthGrants.findCode(code.codeHash))?.usedAt).toBe(t0);

      const refresh = {
        tokenHash: 'bb'.repeat(32),
        grantId: g.id,
        clientAuthenticated: false,
        createdAt: t0,
        expiresAt: '2026-04-01T00:00:00.000Z',
        usedAt: null,
      };
      await store.oauthGrants.insertRefreshToken(refresh);
      expect(await store.oauthGrants.findRefreshToken(refresh.tokenHash)).toEqual(refresh);
      const refreshUses = await Promise.all([
        store.oauthGrants.useRefreshToken(refresh.tokenHash, t0),
        store.oauthGrants.useRefreshToken(refresh.tokenHash, t0),
      ]);
      expect(refreshUses.filter(Boolean)).toHaveLength(1);
    });

    it('deletes expired codes, and an app together with its grants, codes and refresh tokens', async () => {
      const registered = app(alice.id);
      await store.oauthApps.insert(registered);
      const g = grant(registered.id, alice.id);
      await store.oauthGrants.insert(g);
      const base = { grantId: g.id, redirectUri: 'https://example.test/cb', codeChallenge: null, createdAt: t0, usedAt: null };
      await store.oauthGrants.insertCode({ ...base, codeHash: 'c1', expiresAt: '2026-01-01T00:05:00.000Z' });
      await store.oauthGrants.insertCode({ ...base, codeHash: 'c2', expiresAt: '2026-01-03T00:05:00.000Z' });
      await store.oauthGrants.deleteCodesExpiredBefore('2026-01-02T00:00:00.000Z');
      expect(await store.oauthGrants.findCode('c1')).toBeUndefined();
      expect(await store.oauthGrants.findCode('c2')).toBeDefined();
      await store.oauthGrants.insertRefreshToken({
        tokenHash: 'r1',
        grantId: g.id,
        clientAuthenticated: true,
        createdAt: t0,
        expiresAt: t0,
        usedAt: null,
      });

      expect(await store.oauthApps.delete(registered.id)).toBe(true);
      expect(await store.oauthApps.delete(registered.id)).toBe(false);
      expect(await store.oauthGrants.findById(g.id)).toBeUndefined();
      expect(await store.oauthGrants.findCode('c2')).toBeUndefined();
      expect(await store.oauthGrants.findRefreshToken('r1')).toBeUndefined();
    });
  });
}
