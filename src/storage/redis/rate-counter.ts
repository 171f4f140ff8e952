import { Redis } from 'ioredis';
import type { Clock } from '../../domain/clock.js';
import { type RateCounter, type RateHit, StorageUnavailableError } from '../ports.js';

/** INCR, and on a window's first hit an expiry just past its end (relative, so Redis's own clock does not matter). */
const hitScript =
  "local count = redis.call('INCR', KEYS[1]) if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return count";

/**
 * Counts in Redis, so every instance sharing it shares each key's window. One command per hit (the script above;
 * a MULTI of INCR and PEXPIRE would be four for the client to write and parse). Windows are aligned to multiples
 * of their length, as the in-process counter's, so instances agree on them without talking to each other.
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
      count = Number(await this.redis.eval(hitScript, 1, redisKey, String(resetAt - now + 1_000)));
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
