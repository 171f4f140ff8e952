import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The cores load and server are pinned to, when `taskset` exists and the machine has two cores or more. */
export const pinning = (() => {
  const available = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return { available, server: '0', load: '1' };
})();

/** `taskset -c <cores>` in front of a command where pinning is available. */
export function pinned(cores: string, command: string, args: readonly string[]): [string, string[]] {
  return pinning.available ? ['taskset', ['-c', cores, command, ...args]] : [command, [...args]];
}

export interface WrkResult {
  perSecond: number;
  /** Requests answered in the run. */
  requests: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

function milliseconds(value: string, unit: string): number {
  const scale: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
  return Number(value) * (scale[unit] ?? Number.NaN);
}

/** Runs wrk (Debian's package) from its own process, pinned to the load core: one thread, `connections` keep-alive. */
export async function wrk(url: string, headers: Record<string, string>, seconds: number, connections = 50): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  const [command, argv] = pinned(pinning.load, 'wrk', args);
  const { stdout } = await run(command, argv, { maxBuffer: 1 << 20 });
  const perSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1]);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s)/m.exec(stdout);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)/m.exec(stdout);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  if (!Number.isFinite(perSecond) || !Number.isFinite(requests) || !p50 || !p99)
    throw new Error(`cannot read wrk's output:\n${stdout}`);
  return {
    perSecond,
    requests,
    p50Ms: milliseconds(p50[1] ?? '', p50[2] ?? ''),
    p99Ms: milliseconds(p99[1] ?? '', p99[2] ?? ''),
    non2xx,
  };
}
