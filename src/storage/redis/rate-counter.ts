import type { Redis } from 'ioredis';
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
  /** `redis` is the process's shared connection (storage/redis/open.ts): its owner closes it, not this counter. */
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
    private readonly prefix = 'rate:',
  ) {}

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
}
