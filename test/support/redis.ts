import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { underCi } from './ci.js';

export const redisUrl = process.env.LAPIS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function reachable(): Promise<boolean> {
  const { hostname, port } = new URL(redisUrl);
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(2_000);
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(Number(port || 6379), hostname, () => {
      socket.write('PING\r\n');
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
    });
  });
}

/** Whether Redis tests run: skipped with a notice when Redis is away, a failure under CI. */
export const redisAvailable: boolean = await (async () => {
  const ok = await reachable();
  if (!ok && underCi) throw new Error(`Redis is required under CI but ${redisUrl} is unreachable`);
  if (!ok) console.warn(`\n*** NOTICE: Redis at ${redisUrl} is unreachable: Redis tests are SKIPPED ***\n`);
  return ok;
})();

/** A Redis URL whose keys no other test (or run) shares. */
export function uniqueRedisUrl(): string {
  const url = new URL(redisUrl);
  url.searchParams.set('keyPrefix', `lapis-test-${randomBytes(6).toString('hex')}:`);
  return url.toString();
}
