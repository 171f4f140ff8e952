import { createHash } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSessionService } from '../../src/services/web-sessions.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { backends } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { seedWorld, type World } from '../support/world.js';

const hourMs = 3_600_000;
const laptop = { address: '192.0.2.10', userAgent: 'Firefox' };

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`web sessions on ${backend.name}`, () => {
    let store: KyselyStore;
    let world: World;
    let sessions: WebSessionService;
    let draws: number;
    const clock = movableClock();
    beforeEach(async () => {
      clock.set('2026-06-01T12:00:00.000Z');
      store = await backend.open();
      world = await seedWorld(store, clock);
      draws = 0;
      // Each session's secret comes from its own fixed bytes, so the expected secret is known.
      sessions = new WebSessionService(world.services.context, { maxAgeMs: 8 * hourMs }, (size) =>
        new Uint8Array(size).fill(++draws),
      );
    });
    afterAll(() => backend.cleanup());

    it('starts a session whose store row keeps only the SHA-256 of the secret, with an absolute end', async () => {
      const { session, secret } = await sessions.start(world.alice, { address: '192.0.2.10', userAgent: 'U'.repeat(300) });
      expect(secret).toBe(Buffer.alloc(32, 1).toString('base64url'));
      const stored = await store.webSessions.findById(session.id);
      expect(stored).toEqual({
        id: session.id,
        userId: world.alice.id,
        secretHash: createHash('sha256').update(secret).digest('hex'),
        createdAt: '2026-06-01T12:00:00.000Z',
        lastSeenAt: '2026-06-01T12:00:00.000Z',
        expiresAt: '2026-06-01T20:00:00.000Z',
        clientAddress: '192.0.2.10',
        userAgent: 'U'.repeat(256),
      });
    });

    it('resumes only with the right secret, before the end, for an enabled user', async () => {
      const { session, secret } = await sessions.start(world.bob, laptop);
      expect(await sessions.resume(session.id, secret)).toMatchObject({
        session: { id: session.id },
        user: { id: world.bob.id },
      });
      expect(await sessions.resume(session.id, Buffer.alloc(32, 2).toString('base64url'))).toBeUndefined();
      expect(await sessions.resume('no-such-session', secret)).toBeUndefined();
      clock.advance(8 * hourMs - 1);
      expect(await sessions.resume(session.id, secret)).toBeDefined();
      clock.advance(1);
      expect(await sessions.resume(session.id, secret)).toBeUndefined();
    });

    it('ends every session of a disabled user', async () => {
      const { session, secret } = await sessions.start(world.bob, laptop);
      await world.services.users.disable('bob');
      expect(await sessions.resume(session.id, secret)).toBeUndefined();
    });

    it('refuses a session in the moment between a user being disabled and their sessions being deleted', async () => {
      const { session, secret } = await sessions.start(world.bob, laptop);
      // users.disable() writes disabled_at first, then deletes the sessions: a request can land in between.
      await store.users.setDisabledAt(world.bob.id, clock.now().toISOString());
      expect(await store.webSessions.findById(session.id)).toBeDefined();
      expect(await sessions.resume(session.id, secret)).toBeUndefined();
    });

    it('writes last-seen once a minute at most, not on every page', async () => {
      const { session, secret } = await sessions.start(world.alice, laptop);
      clock.advance(59_999);
      expect((await sessions.resume(session.id, secret))?.session.lastSeenAt).toBe('2026-06-01T12:00:00.000Z');
      expect((await store.webSessions.findById(session.id))?.lastSeenAt).toBe('2026-06-01T12:00:00.000Z');
      clock.advance(1);
      expect((await sessions.resume(session.id, secret))?.session.lastSeenAt).toBe('2026-06-01T12:01:00.000Z');
      expect((await store.webSessions.findById(session.id))?.lastSeenAt).toBe('2026-06-01T12:01:00.000Z');
    });

    it('clears sessions past their end when a new one starts', async () => {
      const old = await sessions.start(world.bob, laptop);
      clock.advance(8 * hourMs);
      await sessions.start(world.alice, laptop);
      expect(await store.webSessions.findById(old.session.id)).toBeUndefined();
    });

    it('lists a user’s unexpired sessions newest first, and ends one, or all but one', async () => {
      const first = await sessions.start(world.alice, laptop);
      clock.advance(hourMs);
      const second = await sessions.start(world.alice, { address: '198.51.100.7', userAgent: 'Safari' });
      clock.advance(hourMs);
      const third = await sessions.start(world.alice, laptop);
      const bobs = await sessions.start(world.bob, laptop);
      expect((await sessions.list(world.alice)).map((session) => session.id)).toEqual([
        third.session.id,
        second.session.id,
        first.session.id,
      ]);
      clock.advance(6 * hourMs);
      expect((await sessions.list(world.alice)).map((session) => session.id)).toEqual([third.session.id, second.session.id]);

      expect(await sessions.endOwn(world.alice, bobs.session.id)).toBe(false);
      expect(await sessions.resume(bobs.session.id, bobs.secret)).toBeDefined();
      expect(await sessions.endOwn(world.alice, 'no-such-session')).toBe(false);
      expect(await sessions.endOwn(world.alice, second.session.id)).toBe(true);
      expect(await sessions.resume(second.session.id, second.secret)).toBeUndefined();

      // Starting a session clears the expired first one, so only the third is left to end.
      const fourth = await sessions.start(world.alice, laptop);
      expect(await sessions.endOthers(world.alice, fourth.session.id)).toBe(1);
      expect((await sessions.list(world.alice)).map((session) => session.id)).toEqual([fourth.session.id]);
      expect(await sessions.resume(bobs.session.id, bobs.secret)).toBeDefined();

      await sessions.end(fourth.session.id);
      expect(await sessions.resume(fourth.session.id, fourth.secret)).toBeUndefined();
    });
  });
}
