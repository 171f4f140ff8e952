import { afterAll, describe, expect, it } from 'vitest';
import { FailureThrottle } from '../../src/services/failure-throttle.js';
import { StoredFailureCounter } from '../../src/services/stored-failure-counter.js';
import { RedisFailureCounter } from '../../src/storage/redis/failure-counter.js';
import { openRedis } from '../../src/storage/redis/open.js';
import { backends } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { redisAvailable, uniqueRedisUrl } from '../support/redis.js';

const windowMs = 60_000;

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`failure counts in the database (${backend.name})`, () => {
    afterAll(() => backend.cleanup());

    it('counts one window per key, starts a new one after it, and forgets on reset', async () => {
      const store = await backend.open();
      const clock = movableClock();
      const counter = new StoredFailureCounter(store.failureCounters, clock);
      const started = clock.now().getTime();
      expect(await counter.increment('token:10.0.0.1', windowMs)).toEqual({ failures: 1, startedAt: started });
      clock.advance(1_000);
      expect(await counter.increment('token:10.0.0.1', windowMs)).toEqual({ failures: 2, startedAt: started });
      expect(await counter.increment('token:10.0.0.2', windowMs)).toMatchObject({ failures: 1 });
      clock.advance(windowMs);
      expect(await counter.increment('token:10.0.0.1', windowMs)).toEqual({ failures: 1, startedAt: clock.now().getTime() });
      await counter.reset('token:10.0.0.1');
      expect(await counter.increment('token:10.0.0.1', windowMs)).toMatchObject({ failures: 1 });
    });

    it('peeks at a window without counting, and sees none once it has ended', async () => {
      const store = await backend.open();
      const clock = movableClock();
      const counter = new StoredFailureCounter(store.failureCounters, clock);
      expect(await counter.peek('sign-in:10.0.0.3', windowMs)).toBeUndefined();
      const started = clock.now().getTime();
      await counter.increment('sign-in:10.0.0.3', windowMs);
      await counter.increment('sign-in:10.0.0.3', windowMs);
      expect(await counter.peek('sign-in:10.0.0.3', windowMs)).toEqual({ failures: 2, startedAt: started });
      expect(await counter.peek('sign-in:10.0.0.3', windowMs)).toEqual({ failures: 2, startedAt: started });
      clock.advance(windowMs);
      expect(await counter.peek('sign-in:10.0.0.3', windowMs)).toBeUndefined();
    });

    it('many failures counted at once by two instances are all counted', async () => {
      const store = await backend.open();
      const clock = movableClock();
      const counters = [
        new StoredFailureCounter(store.failureCounters, clock),
        new StoredFailureCounter(store.failureCounters, clock),
      ];
      await Promise.all(Array.from({ length: 20 }, (_, i) => counters[i % 2]!.increment('token:10.0.0.9', windowMs)));
      expect(await counters[0]!.increment('token:10.0.0.9', windowMs)).toMatchObject({ failures: 21 });
    });
  });
}

describe.skipIf(!redisAvailable)('failure counts in Redis', () => {
  it('counts in one window that Redis expires, and resets', async () => {
    const redis = openRedis(uniqueRedisUrl());
    try {
      const counter = new RedisFailureCounter(redis, movableClock());
      expect(await counter.increment('token:10.0.0.1', windowMs)).toMatchObject({ failures: 1 });
      const second = await counter.increment('token:10.0.0.1', windowMs);
      expect(second.failures).toBe(2);
      expect(await redis.pttl('failures:token:10.0.0.1')).toBeGreaterThan(0);
      expect(await counter.peek('token:10.0.0.1', windowMs)).toMatchObject({ failures: 2 });
      expect(await counter.peek('token:10.0.0.1', windowMs)).toMatchObject({ failures: 2 });
      await counter.reset('token:10.0.0.1');
      expect(await counter.peek('token:10.0.0.1', windowMs)).toBeUndefined();
      expect(await counter.increment('token:10.0.0.1', windowMs)).toMatchObject({ failures: 1 });
    } finally {
      redis.disconnect();
    }
  });
});

describe('a throttle whose shared counter is unreachable', () => {
  it('falls back to counting in this process, never throwing', async () => {
    // Nothing listens on port 1: every shared count fails.
    const redis = openRedis('redis://127.0.0.1:1');
    try {
      const clock = movableClock();
      const throttle = new FailureThrottle(clock, 2, windowMs, undefined, {
        counter: new RedisFailureCounter(redis, clock),
        name: 'token',
      });
      expect(await throttle.fail('10.0.0.1')).toEqual({ blocked: false, retryAfterSeconds: 0 });
      expect(await throttle.fail('10.0.0.1')).toEqual({ blocked: false, retryAfterSeconds: 0 });
      expect(await throttle.fail('10.0.0.1')).toEqual({ blocked: true, retryAfterSeconds: 60 });
    } finally {
      redis.disconnect();
    }
  });
});
