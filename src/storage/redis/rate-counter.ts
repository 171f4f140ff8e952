import { Redis } from 'ioredis';
import type { Clock } from '../../domain/clock.js';
import { type RateCounter, type RateHit, StorageUnavailableError } from '../ports.js';

/**
 * Counts in Redis, so every instance sharing it shares each key's window. One round trip per hit: INCR and an
 * expiry just past the window's end in one MULTI (relative, so Redis's own clock does not matter). Windows are aligned to multiples of their length (as the
 * in-process counter's), so instances agree on them without talking to each other.
 */
export class RedisRateCounter implements RateCounter {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly clock: Clock,
    private readonly prefix = 'lapis:rate:',
  ) {
    // A request waits for at most one reconnection to a Redis that is away, then fails as an unavailable store (503).
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2_000, lazyConnect: true });
    this.redis.on('error', () => {
      // Each failed command reports its own error; the connection's own errors only mean "reconnecting".
    });
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateHit> {
    const now = this.clock.now().getTime();
    const start = Math.floor(now / windowMs) * windowMs;
    const resetAt = start + windowMs;
    const redisKey = `${this.prefix}${key}:${start}`;
    let count: number;
    try {
      const results = await this.redis
        .multi()
        .incr(redisKey)
        .pexpire(redisKey, resetAt - now + 1_000)
        .exec();
      const [error, value] = results?.[0] ?? [new Error('no reply'), null];
      if (error) throw error;
      count = Number(value);
    } catch (error) {
      throw new StorageUnavailableError(`the rate counter (Redis) is unavailable: ${(error as Error).message}`);
    }
    return { count, remaining: Math.max(0, limit - count), resetAt };
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
