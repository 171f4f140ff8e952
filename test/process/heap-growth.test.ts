import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A real `serve` in its own process (V8's flags are per process), which then keeps 200,000 objects alive and churns a
 * ring of 300,000 more: each outlives two scavenges, is promoted and dies in the old generation, as the objects of
 * requests in flight do under load. The old generation then rises as a sawtooth between full collections. Its highest
 * and lowest use over the run's second half (past the first full collection, which Node 24's V8 starts late whatever
 * the flag) are printed, in MB.
 */
const script = `
import { getHeapSpaceStatistics } from 'node:v8';
import { loadConfig } from './src/config/load.ts';
import { serve } from './src/main.ts';
const config = loadConfig({ env: { LAPIS_DATA_DIR: process.env.DATA_DIR, LAPIS_PORT: '0', LAPIS_LOG_LEVEL: 'silent', LAPIS_HEAP_GROWTH_PERCENT: process.env.PERCENT } });
const server = await serve(config, () => {}, false);
const oldUsed = () => getHeapSpaceStatistics().find((space) => space.space_name === 'old_space').space_used_size / 1048576;
const live = Array.from({ length: 200_000 }, (_, i) => ({ i, text: 'live ' + i, more: [i, i + 1] }));
const ring = new Array(300_000);
const rounds = 6_000_000;
let peak = 0;
let trough = Infinity;
for (let round = 0; round < rounds; round++) {
  ring[round % ring.length] = { round, text: 'request ' + round, parts: [round, round * 2, round * 3] };
  if (round % 2_000 === 0 && round > rounds / 2) {
    const used = oldUsed();
    peak = Math.max(peak, used);
    trough = Math.min(trough, used);
  }
}
console.log(JSON.stringify({ peak, trough, kept: live.length + ring.length }));
await server.stop();
`;

/** The old generation's sawtooth in a served process: highest over lowest use, in the run's second half. */
function oldGenerationSwing(percent: number): { swing: number; peak: number; trough: number } {
  const dataDir = mkdtempSync(join(tmpdir(), 'lapis-heap-'));
  dirs.push(dataDir);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PERCENT: String(percent) },
    encoding: 'utf8',
    timeout: 90_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const { peak, trough } = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { peak: number; trough: number };
  return { swing: peak / trough, peak, trough };
}

describe('LAPIS_HEAP_GROWTH_PERCENT', () => {
  // Measured in this test's served process, quiet and under load: capped at 20 %, highest over lowest 1.5 (peak 157 MB)
  // on Node 20 and 2.2 (261 MB) on Node 24; with V8's own factor (0) 4.3 (457 MB) and 3.3–3.9 (636–654 MB).
  it('keeps a served process’s old generation swinging well under V8’s own growth, which the control run shows', () => {
    const capped = oldGenerationSwing(20);
    const own = oldGenerationSwing(0);
    const seen = `capped ${capped.peak.toFixed(0)}/${capped.trough.toFixed(0)} MB, V8's own ${own.peak.toFixed(0)}/${own.trough.toFixed(0)} MB`;
    expect(capped.swing, seen).toBeLessThan(3);
    expect(own.peak, seen).toBeGreaterThan(capped.peak * 1.8);
  }, 200_000);
});
