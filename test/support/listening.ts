import type { Lapis } from '../../src/app.js';
import type { Clock } from '../../src/domain/clock.js';
import type { Store } from '../../src/storage/ports.js';
import { testApp } from './app.js';

export interface Listening {
  lapis: Lapis;
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  logs: () => string[];
  close(): Promise<void>;
}

/** The real Lapis app on a loopback port: tests reach it only through its real routes, as clients do. */
export async function listening(store: Store, options: { env?: Record<string, string>; clock?: Clock } = {}): Promise<Listening> {
  const lapis = await testApp(store, options);
  const url = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
  return { lapis, url, logs: lapis.logs.lines, close: () => lapis.app.close() };
}

/** `Authorization: Basic base64(user:password)`, as curl -u builds it. */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
