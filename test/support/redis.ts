import { Redis } from 'ioredis';
import { underCi } from './ci.js';

export const redisUrl = process.env.LAPIS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** Whether Redis tests run: skipped with a notice without a server, except under CI=true, where that is a failure. */
export const redisAvailable: boolean = await (async () => {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  let ok = false;
  try {
    await client.connect();
    ok = (await client.ping()) === 'PONG';
  } catch {
    ok = false;
  } finally {
    client.disconnect();
  }
  if (!ok && underCi) throw new Error(`Redis is required under CI but ${redisUrl} is unreachable`);
  if (!ok) console.warn(`\n*** NOTICE: Redis at ${redisUrl} is unreachable: Redis tests are SKIPPED ***\n`);
  return ok;
})();
