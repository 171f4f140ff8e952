import type { Redis } from 'ioredis';
import type { Clock } from '../../domain/clock.js';
import { type SharedFailureCounter, StorageUnavailableError } from '../ports.js';

/**
 * Failure counts in Redis: one key per window, INCR then an expiry set only by the first failure (PEXPIRE NX),
 * so the window is fixed and Redis forgets it on its own. One round trip per failure (MULTI).
 */
export class RedisFailureCounter implements SharedFailureCounter {
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
  ) {}

  async increment(key: string, windowMs: number): Promise<{ failures: number; startedAt: number }> {
    const name = `failures:${key}`;
    const results = await this.redis.multi().incr(name).pexpire(name, windowMs, 'NX').pttl(name).exec();
    const [incremented, , ttl] = results ?? [];
    if (!incremented || incremented[0] || !ttl || ttl[0]) throw new StorageUnavailableError('Redis did not count the failure');
    const remainingMs = Math.max(0, Number(ttl[1]));
    return { failures: Number(incremented[1]), startedAt: this.clock.now().getTime() + remainingMs - windowMs };
  }

  async peek(key: string, windowMs: number): Promise<{ failures: number; startedAt: number } | undefined> {
    const name = `failures:${key}`;
    const results = await this.redis.multi().get(name).pttl(name).exec();
    const [count, ttl] = results ?? [];
    if (!count || count[0] || !ttl || ttl[0]) throw new StorageUnavailableError('Redis did not answer the failure count');
    // No key, or a key without expiry (-1) or gone between the two reads (-2): no live window.
    const remainingMs = Number(ttl[1]);
    if (count[1] === null || remainingMs < 0) return undefined;
    return { failures: Number(count[1]), startedAt: this.clock.now().getTime() + remainingMs - windowMs };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(`failures:${key}`);
  }
}
