import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * Caps how far the old generation may grow past the last full collection's survivors before V8 collects again.
 * A loaded server promotes a steady trickle of short-lived objects (requests in flight when a scavenge runs); with
 * V8's own growing factor they pile up for tens of seconds and resident memory swings by 50 MB or more. The factor is
 * read each time V8 sets its next limit, so setting it at start applies to every later limit; the hard heap limit is
 * unchanged, so a growing live set is never refused, only collected sooner. 0 leaves V8's choice.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** The observer of the cap in force, if any: one per process, as V8's flags are. */
let stopCap: (() => void) | undefined;

/**
 * Keeps the young generation (V8's new space, both semi-spaces) at the size it has, until `limitYoungGeneration`.
 * `bin/lapis` calls it before the CLI loads: V8 grows the space when most of what it holds survives a collection, which
 * is true of every module a start-up loads, and it does not give the space back while the process stays busy.
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Caps the young generation at `megabytes`, 0 leaving V8's choice. Under a high allocation rate V8 doubles the new
 * space up to its own maximum, 32 MB on Node 20 and 128 MB on Node 24, all of it resident once used, and only the
 * command line can lower that maximum (`--max-semi-space-size`). V8 reads its growth factor each time it grows the
 * space, though, so after every collection the factor is set to 1 (no growth) once the next doubling would pass the
 * cap, and back to V8's 2 below it. Set again after every collection rather than once: V8 11 (Node 20) puts a factor
 * below 2 back to 2 whenever it sets up another isolate, such as the audit writer thread's. A space already past the
 * cap is not shrunk (hence `holdYoungGeneration` at start), and one that grows twice before the observer runs can
 * overshoot by a doubling.
 */
export function limitYoungGeneration(megabytes: number): () => void {
  stopCap?.();
  stopCap = undefined;
  if (megabytes <= 0) {
    setFlagsFromString('--semi-space-growth-factor=2');
    return () => {};
  }
  const limit = megabytes * 1024 * 1024;
  let growing: boolean | undefined;
  const check = () => {
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (!young) return;
    const mayGrow = young.space_size * 2 <= limit;
    if (mayGrow && growing === true) return;
    growing = mayGrow;
    setFlagsFromString(`--semi-space-growth-factor=${mayGrow ? 2 : 1}`);
  };
  check();
  const observer = new PerformanceObserver(check);
  observer.observe({ entryTypes: ['gc'] });
  // Stopped with the server, or by the next cap: a process that goes on (tests serve in theirs) gets V8's own growth
  // back, once, so a server stopped late does not undo the cap of one started since.
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    observer.disconnect();
    setFlagsFromString('--semi-space-growth-factor=2');
    if (stopCap === stop) stopCap = undefined;
  };
  stopCap = stop;
  return stop;
}
