import type { Redis } from 'ioredis';
import type { Clock } from '../../domain/clock.js';
import { type RateCounter, type RateHit, StorageUnavailableError } from '../ports.js';

/**
 * INCRBY the hits of one batch, and when they started the window an expiry just past its end (relative, so Redis's
 * own clock does not matter).
 */
const hitScript =
  "local count = redis.call('INCRBY', KEYS[1], ARGV[1]) if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return count";

interface Waiter {
  resolve(count: number): void;
  reject(error: Error): void;
}

/** One window key's hits: those waiting for the next command, and whether a command for the key is on its way. */
interface KeyQueue {
  waiting: Waiter[];
  expiresInMs: number;
  sending: boolean;
}

/**
 * Counts in Redis, so every instance sharing it shares each key's window. Windows are aligned to multiples of their
 * length, as the in-process counter's, so instances agree on them without talking to each other.
 *
 * A key's first hit goes to Redis at once; hits of the same key that arrive while that command is on its way wait
 * for it and then go together, as one INCRBY of their number, and each gets its own count back from the total (the
 * first of n hits that brought the count to c is number c - n + 1). Redis applies every increment atomically, so the
 * counts are exactly those of one command per hit, across instances too; a token busy with many parallel requests
 * costs one round trip per batch instead of one per request.
 */
export class RedisRateCounter implements RateCounter {
  private readonly queues = new Map<string, KeyQueue>();

  /** `redis` is the process's shared connection (storage/redis/open.ts): its owner closes it, not this counter. */
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
    private readonly prefix = 'rate:',
  ) {}

  async hit(key: string, limit: number, windowMs: number, now = this.clock.now().getTime()): Promise<RateHit> {
    const start = Math.floor(now / windowMs) * windowMs;
    const resetAt = start + windowMs;
    const redisKey = `${this.prefix}${key}:${start}`;
    let queue = this.queues.get(redisKey);
    if (!queue) {
      queue = { waiting: [], expiresInMs: 0, sending: false };
      this.queues.set(redisKey, queue);
    }
    queue.expiresInMs = resetAt - now + 1_000;
    const counted = new Promise<number>((resolve, reject) => queue.waiting.push({ resolve, reject }));
    if (!queue.sending) void this.send(redisKey, queue);
    const count = await counted;
    return { count, remaining: Math.max(0, limit - count), resetAt };
  }

  /** Sends the key's waiting hits as one increment, then the ones that queued meanwhile, until none wait. */
  private async send(redisKey: string, queue: KeyQueue): Promise<void> {
    queue.sending = true;
    while (queue.waiting.length > 0) {
      const batch = queue.waiting;
      queue.waiting = [];
      try {
        const total = Number(await this.redis.eval(hitScript, 1, redisKey, batch.length, queue.expiresInMs));
        let count = total - batch.length;
        for (const waiter of batch) waiter.resolve(++count);
      } catch (error) {
        const unavailable = new StorageUnavailableError(`the rate counter (Redis) is unavailable: ${(error as Error).message}`);
        for (const waiter of batch) waiter.reject(unavailable);
      }
    }
    queue.sending = false;
    this.queues.delete(redisKey);
  }
}
