import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median } from './load.js';
import { pinned, pinning, type WrkResult } from './wrk.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Starts a TypeScript file of bench/ as a child process pinned to the server core and returns it with the JSON line
 * it prints first. `nodeOptions` go before the loader (e.g. `--cpu-prof`).
 */
export async function startChild<T>(
  file: string,
  args: string[] = [],
  nodeOptions: string[] = [],
): Promise<{ child: ChildProcess; info: T }> {
  const [command, argv] = pinned(pinning.server, process.execPath, [
    ...nodeOptions,
    '--import',
    'tsx',
    join(here, file),
    ...args,
  ]);
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (line.startsWith('{')) return { child, info: JSON.parse(line) as T };
  }
  throw new Error(`${file} exited before it was ready`);
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

/** CPU time (user + system) a process has used, in microseconds, from /proc (clock ticks of 10 ms). */
export function cpuMicroseconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

export interface Loaded extends WrkResult {
  /** The serving process's CPU time per answered request: steadier than req/s when other work shares the core. */
  cpuPerRequest: number;
}

/** One wrk load against the server in process `pid`, with that process's CPU time per request. */
export async function measured(pid: number, load: () => Promise<WrkResult>): Promise<Loaded> {
  const before = cpuMicroseconds(pid);
  const result = await load();
  return { ...result, cpuPerRequest: (cpuMicroseconds(pid) - before) / Math.max(1, result.requests) };
}

export interface Comparison {
  /** Median req/s of each side. */
  a: number;
  b: number;
  aList: string;
  bList: string;
  /** Median server CPU µs per request of each side, and each round's. */
  aCpu: number;
  bCpu: number;
  aCpuList: string;
  bCpuList: string;
  /**
   * The median over rounds of a's figure divided by b's in the same round: with short rounds on a machine whose speed
   * drifts, steadier than a ratio of the two medians.
   */
  pairedRate: number;
  /** The same for server CPU µs per request, b's over a's (above 1 when a costs less). */
  pairedCpu: number;
}

/**
 * Alternating rounds of two loads, so drift in a shared machine's speed hits both alike; medians of req/s and of
 * the serving process's CPU µs per request.
 */
export async function compare(rounds: number, a: () => Promise<Loaded>, b: () => Promise<Loaded>): Promise<Comparison> {
  const first: Loaded[] = [];
  const second: Loaded[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      first.push(await a());
      second.push(await b());
    } else {
      second.push(await b());
      first.push(await a());
    }
  }
  for (const result of [...first, ...second]) if (result.non2xx > 0) throw new Error('a load answered non-2xx');
  const rate = (results: Loaded[]) => median(results.map((r) => r.perSecond));
  const cpu = (results: Loaded[]) => median(results.map((r) => r.cpuPerRequest));
  const list = (results: Loaded[]) => results.map((r) => Math.round(r.perSecond)).join(', ');
  const cpuList = (results: Loaded[]) => results.map((r) => Math.round(r.cpuPerRequest)).join(', ');
  return {
    a: rate(first),
    b: rate(second),
    aList: list(first),
    bList: list(second),
    aCpu: cpu(first),
    bCpu: cpu(second),
    aCpuList: cpuList(first),
    bCpuList: cpuList(second),
    pairedRate: median(first.map((result, round) => result.perSecond / (second[round]?.perSecond ?? Number.NaN))),
    pairedCpu: median(first.map((result, round) => (second[round]?.cpuPerRequest ?? Number.NaN) / result.cpuPerRequest)),
  };
}
