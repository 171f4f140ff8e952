import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

/** Loaded by the first connection: a process without LAPIS_REDIS_URL never loads the client (megabytes resident). */
let client: typeof import('ioredis') | undefined;

/**
 * The one Redis connection of a process, shared by the failure counter and the rate counter. It connects on first
 * use (a CLI command that never counts anything never connects) and fails fast while Redis is away: a failure
 * count falls back to the local one, a rate-limited request gets a 503, neither waits.
 */
export function openRedis(url: string): Redis {
  // `?keyPrefix=` keeps deployments (or test runs) that share one Redis apart; every key starts with it.
  const parsed = new URL(url);
  const keyPrefix = parsed.searchParams.get('keyPrefix') ?? 'lapis:';
  parsed.searchParams.delete('keyPrefix');
  client ??= createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const redis = new client.Redis(parsed.toString(), {
    keyPrefix,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
  });
  // Without a listener an unreachable Redis would end the process; each failed command reports its own error.
  redis.on('error', () => {});
  return redis;
}

/** Ends the connection once, whoever asks first; a connection never opened has nothing to say goodbye to. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end' || redis.status === 'wait') {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => redis.disconnect());
}
