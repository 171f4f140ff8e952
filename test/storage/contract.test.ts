import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Organization, Project, User } from '../../src/domain/entities.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { DuplicateKeyError } from '../../src/storage/ports.js';
import { backends } from '../support/backends.js';

function user(username: string, overrides: Partial<User> = {}): User {
  return {
    id: randomUUID(),
    username,
    displayName: username.toUpperCase(),
    email: `${username}@example.test`,
    passwordHash: null,
    isAdmin: false,
    disabledAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function project(organizationId: string, name: string): Project {
  return {
    id: randomUUID(),
    organizationId,
    name,
    description: `about ${name}`,
    visibility: 'private',
    state: 'wellFormed',
    revision: 1,
    lastUpdateTime: '2026-01-01T00:00:00.000Z',
    sourceControlType: 'Git',
    processTemplateId: 'adcc42ab-9882-485e-a3ed-7678f01f66bc',
  };
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`storage contract on ${backend.name}`, () => {
    let store: KyselyStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterAll(() => backend.cleanup());

    it('migrates idempotently', async () => {
      expect((await store.migrate()).applied).toEqual([]);
    });

    it('stores and finds users case-insensitively, keeping flags', async () => {
      const alice = user('Alice', { isAdmin: true, passwordHash: '$argon2id$x' });
      await store.users.insert(alice);
      expect(await store.users.findByUsername('alice')).toEqual(alice);
      expect(await store.users.findById(alice.id)).toEqual(alice);
      expect(await store.users.findByUsername('bob')).toBeUndefined();
      await store.users.setDisabledAt(alice.id, '2026-02-02T00:00:00.000Z');
      expect((await store.users.findById(alice.id))?.disabledAt).toBe('2026-02-02T00:00:00.000Z');
    });

    it('finds a token with its owner in one lookup, as findByHash and findById see them apart', async () => {
      const owner = user('Dana', { isAdmin: true, passwordHash: '$argon2id$y', disabledAt: '2026-03-03T00:00:00.000Z' });
      await store.users.insert(owner);
      const token = {
        id: randomUUID(),
        userId: owner.id,
        displayName: 'ci',
        scopes: ['vso.build', 'vso.code'],
        organizationId: null,
        validFrom: '2026-01-01T00:00:00.000Z',
        validTo: '2026-02-01T00:00:00.000Z',
        createdAt: '2026-01-01T00:00:00.000Z',
        revokedAt: '2026-01-15T00:00:00.000Z',
        lastUsedAt: null,
        tokenHash: 'cd'.repeat(32),
      };
      await store.tokens.insert(token);
      const found = await store.tokens.findByHashWithOwner(token.tokenHash);
      expect(found).toEqual({
        token: await store.tokens.findByHash(token.tokenHash),
        owner: await store.users.findById(owner.id),
      });
      expect(found).toEqual({ token, owner });
      expect(await store.tokens.findByHashWithOwner('ef'.repeat(32))).toBeUndefined();
    });

    it('reads usage trails and rotations of more tokens than one statement may bind', async () => {
      const owner = user('Many');
      await store.users.insert(owner);
      const id = randomUUID();
      await store.tokens.insert({
        id,
        userId: owner.id,
        displayName: 'used',
        scopes: ['vso.build'],
        organizationId: null,
        validFrom: '2026-01-01T00:00:00.000Z',
        validTo: '2026-02-01T00:00:00.000Z',
        createdAt: '2026-01-01T00:00:00.000Z',
        revokedAt: null,
        lastUsedAt: null,
        tokenHash: 'ab'.repeat(32),
      });
      const use = {
        tokenId: id,
        clientAddress: '10.1.2.3',
        userAgent: 'curl/8',
        firstUsedAt: '2026-01-02T00:00:00.000Z',
        lastUsedAt: '2026-01-03T00:00:00.000Z',
      };
      await store.tokenUsage.save([use]);
      // Past SQLite's 32,766 bound parameters; the one stored token comes last, in the last slice.
      const ids = [...Array.from({ length: 40_000 }, () => randomUUID()), id];
      expect(await store.tokenUsage.listFor(ids)).toEqual([use]);
      expect(await store.tokenRotations.listUnendedOf(ids)).toEqual([]);
    });

    it('refuses a second user with the same name in any case', async () => {
      await store.users.insert(user('carol'));
      await expect(store.users.insert(user('CAROL'))).rejects.toBeInstanceOf(DuplicateKeyError);
    });

    it('lists users in name order', async () => {
      for (const name of ['zed', 'amy', 'Kim']) await store.users.insert(user(name));
      expect((await store.users.list()).map((u) => u.username)).toEqual(['amy', 'Kim', 'zed']);
    });

    describe('organizations and members', () => {
      let owner: User;
      let organization: Organization;
      beforeEach(async () => {
        owner = user('owner');
        await store.users.insert(owner);
        organization = { id: randomUUID(), name: 'Contoso', ownerId: owner.id, createdAt: '2026-01-01T00:00:00.000Z' };
        await store.organizations.insert(organization);
      });

      it('finds by name in any case and refuses duplicates', async () => {
        expect(await store.organizations.findByName('contoso')).toEqual(organization);
        await expect(store.organizations.insert({ ...organization, id: randomUUID(), name: 'CONTOSO' })).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
      });

      it('adds, lists and removes members', async () => {
        const member = user('member');
        await store.users.insert(member);
        await store.organizations.addMember(organization.id, member.id, '2026-01-02T00:00:00.000Z');
        expect(await store.organizations.isMember(organization.id, member.id)).toBe(true);
        await expect(
          store.organizations.addMember(organization.id, member.id, '2026-01-03T00:00:00.000Z'),
        ).rejects.toBeInstanceOf(DuplicateKeyError);
        expect((await store.organizations.listMembers(organization.id)).map((m) => m.user.username)).toEqual(['member']);
        expect((await store.organizations.listForMember(member.id)).map((o) => o.name)).toEqual(['Contoso']);
        expect(await store.organizations.removeMember(organization.id, member.id)).toBe(true);
        expect(await store.organizations.removeMember(organization.id, member.id)).toBe(false);
        expect(await store.organizations.isMember(organization.id, member.id)).toBe(false);
      });

      it("lists the members' tokens that work in the organization, and every membership of its members", async () => {
        const fabrikam = { id: randomUUID(), name: 'Fabrikam', ownerId: owner.id, createdAt: '2026-01-01T00:00:00.000Z' };
        await store.organizations.insert(fabrikam);
        const [ann, bob, outsider] = [user('ann'), user('bob'), user('outsider')];
        for (const each of [ann, bob, outsider]) await store.users.insert(each);
        await store.organizations.addMember(organization.id, ann.id, '2026-01-02T00:00:00.000Z');
        await store.organizations.addMember(organization.id, bob.id, '2026-01-02T00:00:00.000Z');
        await store.organizations.addMember(fabrikam.id, bob.id, '2026-01-02T00:00:00.000Z');
        await store.organizations.addMember(fabrikam.id, outsider.id, '2026-01-02T00:00:00.000Z');
        let day = 10;
        const token = async (owner: User, displayName: string, organizationId: string | null) => {
          const createdAt = `2026-01-${day++}T00:00:00.000Z`;
          await store.tokens.insert({
            id: randomUUID(),
            userId: owner.id,
            displayName,
            scopes: ['vso.build'],
            organizationId,
            validFrom: createdAt,
            validTo: '2026-12-01T00:00:00.000Z',
            createdAt,
            revokedAt: null,
            lastUsedAt: null,
            tokenHash: randomUUID().replaceAll('-', '').repeat(2),
          });
        };
        await token(ann, 'ann global', null);
        await token(ann, 'ann contoso', organization.id);
        await token(bob, 'bob fabrikam', fabrikam.id);
        await token(bob, 'bob global', null);
        await token(outsider, 'outsider global', null);

        const listed = await store.tokens.listForMembersOf(organization.id);
        const names = (userId: string) => listed.filter((t) => t.userId === userId).map((t) => t.displayName);
        expect(listed).toHaveLength(3);
        expect(names(ann.id)).toEqual(['ann contoso', 'ann global']);
        expect(names(bob.id)).toEqual(['bob global']);
        expect(await store.tokens.listForMembersOf(randomUUID())).toEqual([]);

        const memberships = await store.organizations.membershipsOfMembers(organization.id);
        const pairs = memberships.map(
          (m) =>
            `${m.userId === ann.id ? 'ann' : m.userId === bob.id ? 'bob' : 'other'} ${m.organizationId === organization.id ? 'contoso' : 'fabrikam'}`,
        );
        expect(pairs.sort()).toEqual(['ann contoso', 'bob contoso', 'bob fabrikam']);
      });

      it('keeps project names unique per organization and pages by name', async () => {
        const names = ['web', 'Api', 'docs', 'zeta'];
        for (const name of names) await store.projects.insert(project(organization.id, name));
        await expect(store.projects.insert(project(organization.id, 'WEB'))).rejects.toBeInstanceOf(DuplicateKeyError);
        const first = await store.projects.list({ organizationId: organization.id, limit: 2 });
        expect(first.map((p) => p.name)).toEqual(['Api', 'docs']);
        const next = await store.projects.list({ organizationId: organization.id, limit: 2, offset: 2 });
        expect(next.map((p) => p.name)).toEqual(['web', 'zeta']);
        const found = await store.projects.findByName(organization.id, 'API');
        expect(found?.name).toBe('Api');
        expect(await store.projects.findById(organization.id, found!.id.toUpperCase())).toEqual(found);
      });

      it('updates and deletes projects', async () => {
        const web = project(organization.id, 'web');
        await store.projects.insert(web);
        await store.projects.update(organization.id, web.id, {
          name: 'website',
          description: 'new',
          revision: 2,
          lastUpdateTime: '2026-03-03T00:00:00.000Z',
        });
        expect(await store.projects.findByName(organization.id, 'website')).toMatchObject({ description: 'new', revision: 2 });
        await store.projects.delete(organization.id, web.id);
        expect(await store.projects.findById(organization.id, web.id)).toBeUndefined();
      });
    });

    it('rolls back a failed transaction', async () => {
      await expect(
        store.transaction(async (repositories) => {
          await repositories.users.insert(user('temp'));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.users.findByUsername('temp')).toBeUndefined();
    });

    it('records a key fingerprint once per purpose and replaces it only on purpose', async () => {
      expect(await store.keyFingerprints.find('token')).toBeUndefined();
      expect(await store.keyFingerprints.recordIfAbsent('token', 'aa', '2026-01-01T00:00:00.000Z')).toBe(true);
      expect(await store.keyFingerprints.recordIfAbsent('token', 'bb', '2026-01-02T00:00:00.000Z')).toBe(false);
      expect(await store.keyFingerprints.find('token')).toBe('aa');
      await store.keyFingerprints.replace('token', 'cc', '2026-01-03T00:00:00.000Z');
      expect(await store.keyFingerprints.find('token')).toBe('cc');
      expect(await store.keyFingerprints.find('session')).toBeUndefined();
    });

    it('sets a meta key only once', async () => {
      expect(await store.meta.setIfAbsent('k', 'one')).toBe(true);
      expect(await store.meta.setIfAbsent('k', 'two')).toBe(false);
      expect(await store.meta.get('k')).toBe('one');
    });
  });
}
