import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApp, type Lapis } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Clock } from '../../src/domain/clock.js';
import type { Store } from '../../src/storage/ports.js';

/** Collects log lines so tests can assert what was (and was not) logged. */
export function logCapture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

const dataDirs: string[] = [];
process.once('exit', () => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** A data directory of its own, removed when the test process exits, so generated keys never land in ./.lapis. */
export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lapis-data-'));
  dataDirs.push(dir);
  return dir;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ env: { LAPIS_LOG_LEVEL: 'info', LAPIS_DATA_DIR: tempDataDir(), ...env } });
}

export async function testApp(store: Store, options: { env?: Record<string, string>; clock?: Clock } = {}) {
  const logs = logCapture();
  const lapis: Lapis = await buildApp({
    config: testConfig(options.env),
    store,
    logStream: logs.stream,
    ...(options.clock && { clock: options.clock }),
  });
  return { ...lapis, logs };
}
