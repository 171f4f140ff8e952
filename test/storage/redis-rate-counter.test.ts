import { describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../src/storage/ports.js';
import { openRedis } from '../../src/storage/redis/open.js';
import { RedisRateCounter } from '../../src/storage/redis/rate-counter.js';
import { movableClock } from '../support/clock.js';
import { redisAvailable, uniqueRedisUrl } from '../support/redis.js';

const windowMs = 60_000;

describe.skipIf(!redisAvailable)('rate counts in Redis', () => {
  it('gives parallel hits from two instances each its own count, so exactly the limit is admitted', async () => {
    const url = uniqueRedisUrl();
    const connections = [openRedis(url), openRedis(url)];
    try {
      const clock = movableClock('2026-06-01T12:00:30.000Z');
      const counters = connections.map((redis) => new RedisRateCounter(redis, clock));
      // Hits of one key that arrive together travel in batches; every count from 1 to 100 must still be given once.
      const hits = await Promise.all(Array.from({ length: 100 }, (_, i) => counters[i % 2]!.hit('pat:one', 60, windowMs)));
      expect(hits.map((hit) => hit.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(hits.filter((hit) => hit.count <= 60)).toHaveLength(60);
      expect(hits.filter((hit) => hit.remaining === 0)).toHaveLength(41);
      expect(new Set(hits.map((hit) => hit.resetAt))).toEqual(new Set([Date.parse('2026-06-01T12:01:00.000Z')]));
      const pttl = await connections[0]!.pttl('rate:pat:one:1780315200000');
      expect(pttl).toBeGreaterThan(30_000);
      expect(pttl).toBeLessThanOrEqual(31_000);

      clock.advance(30_000);
      expect(await counters[1]!.hit('pat:one', 60, windowMs)).toMatchObject({ count: 1, remaining: 59 });
    } finally {
      for (const redis of connections) redis.disconnect();
    }
  });

  it('refuses every waiting hit as unavailable when Redis cannot be reached', async () => {
    // Nothing listens on port 1.
    const redis = openRedis('redis://127.0.0.1:1');
    try {
      const counter = new RedisRateCounter(redis, movableClock());
      const hits = await Promise.allSettled(Array.from({ length: 3 }, () => counter.hit('pat:away', 60, windowMs)));
      for (const hit of hits) {
        expect(hit.status).toBe('rejected');
        expect((hit as PromiseRejectedResult).reason).toBeInstanceOf(StorageUnavailableError);
      }
    } finally {
      redis.disconnect();
    }
  });
});
