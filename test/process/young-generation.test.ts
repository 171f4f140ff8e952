import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const megabyte = 1024 * 1024;

/**
 * The built `lapis serve` in its own process (V8's flags are per process), loaded for a few seconds by 64 callers at
 * once, then asked for its young generation's size (V8's new space, both semi-spaces) through its own `/metrics`.
 * Anonymous calls to an API route: each is refused, with the refusal's envelope, log line and failure count made and
 * dropped as a request's objects are under load.
 */
async function youngGenerationUnderLoad(megabytes: number): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lapis-young-'));
  dirs.push(dataDir);
  const server = await startServerProcess({
    LAPIS_DATA_DIR: dataDir,
    LAPIS_METRICS: 'on',
    LAPIS_YOUNG_GENERATION_MB: String(megabytes),
  });
  try {
    const until = Date.now() + 4000;
    const caller = async () => {
      while (Date.now() < until) {
        const answer = await fetch(`${server.url}/_apis/projects?api-version=7.1`);
        await answer.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 64 }, caller));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const size = /^nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)/m.exec(metrics)?.[1];
    expect(size, metrics.slice(0, 2000)).toBeDefined();
    expect(server.alive()).toBe(true);
    return Number(size) / megabyte;
  } finally {
    await server.stop();
  }
}

describe('LAPIS_YOUNG_GENERATION_MB', () => {
  it('holds a loaded server’s young generation at its cap, which V8’s own growth passes (the control run)', async () => {
    const capped = await youngGenerationUnderLoad(4);
    const own = await youngGenerationUnderLoad(0);
    const seen = `capped at 4 MB: ${capped} MB; V8's own: ${own} MB`;
    expect(capped, seen).toBeLessThanOrEqual(4);
    expect(own, seen).toBeGreaterThan(4);
  }, 60_000);
});
