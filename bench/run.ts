import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Figure } from './figures.js';
import { startInstance } from './instance.js';
import {
  type Comparison,
  compare as compareRounds,
  type Loaded,
  measured,
  rssMegabytes,
  startChild,
  stopChild as stop,
} from './processes.js';
import { machine, writeSection } from './results.js';
import { pinning, wrk } from './wrk.js';

/**
 * `npm run bench`: every figure of issue 11 in one run, each against a baseline measured in the same run, written to the
 * "Suite" section of docs/benchmarks.md. Load comes from wrk in its own process; the server under load runs in its own
 * process too, pinned to another core where `taskset` is available. BENCH_LONG=1 lengthens every phase; the
 * BENCH_* variables below set each one.
 */
const long = process.env.BENCH_LONG === '1';
const knob = (name: string, short: number, longer: number) => Number(process.env[name] ?? (long ? longer : short));
const seconds = knob('BENCH_SECONDS', 5, 15);
const rounds = knob('BENCH_ROUNDS', 3, 5);
const rssSeconds = knob('BENCH_RSS_SECONDS', 60, 120);
// The Auth row compares two ports of one process a few percent apart: many short rounds, each paired with its neighbour.
const authSeconds = knob('BENCH_AUTH_SECONDS', 1, 2);
const authRounds = knob('BENCH_AUTH_ROUNDS', 20, 40);
const tokens = knob('BENCH_TOKENS', 1_000_000, 1_000_000);
const samples = knob('BENCH_SAMPLES', 2_000, 10_000);
const work = mkdtempSync(join(tmpdir(), 'lapis-bench-run-'));
const children: ChildProcess[] = [];

async function start<T>(file: string, args: string[] = []): Promise<{ child: ChildProcess; info: T }> {
  const started = await startChild<T>(file, args);
  children.push(started.child);
  return started;
}

const compare = (a: () => Promise<Loaded>, b: () => Promise<Loaded>) => compareRounds(rounds, a, b);

const cpuNote = (us: number) => `; ${Math.round(us)} µs CPU per request`;

const figures: Figure[] = [];

function missing(id: string, note: string): Figure {
  return { id, name: 'not measured', value: '—', baseline: '—', ratio: Number.NaN, target: '—', met: false, note };
}

/** One benchmark's figures, or a row saying it failed: one broken benchmark does not cost the others' figures. */
async function attempt(id: string, measure: () => Promise<Figure[]>): Promise<Figure[]> {
  try {
    return await measure();
  } catch (error) {
    console.error(error);
    return [missing(id, `failed: ${String(error).slice(0, 200)}`)];
  }
}
try {
  const { child: server, info } = await start<{
    lapis: string;
    open: string;
    floor: string;
    answered: string;
    pat: string;
    builds: number;
  }>('server.ts');
  const path = '/fabrikam/Fabrikam%20Web/_apis/build/builds?$top=10&api-version=7.1';
  const auth = { authorization: `Basic ${Buffer.from(`:${info.pat}`).toString('base64')}` };
  const sample = await fetch(info.lapis + path, { headers: auth });
  if (sample.status !== 200) throw new Error(`the builds list answered ${sample.status}`);
  const body = Buffer.from(await sample.arrayBuffer());
  const bodyFile = join(work, 'builds.json');
  writeFileSync(bodyFile, body);
  const { child: raw, info: rawInfo } = await start<{ url: string }>('raw-server.ts', [
    bodyFile,
    sample.headers.get('content-type') ?? '',
  ]);
  await wrk(info.lapis + path, auth, 2);
  await wrk(info.open + path, {}, 2);
  await wrk(rawInfo.url + path, {}, 2);

  const serverPid = server.pid ?? 0;
  const rawPid = raw.pid ?? 0;
  const p1 = await compare(
    () => measured(serverPid, () => wrk(info.lapis + path, auth, seconds)),
    () => measured(rawPid, () => wrk(rawInfo.url + path, {}, seconds)),
  );
  figures.push({
    id: 'P1',
    name: `GET builds?$top=10 with a PAT (${body.length.toLocaleString('en-US')} bytes), req/s`,
    value: `${Math.round(p1.a)} (${p1.aList})${cpuNote(p1.aCpu)}`,
    baseline: `${Math.round(p1.b)} (${p1.bList}): node:http sending the same bytes${cpuNote(p1.bCpu)}`,
    ratio: p1.a / p1.b,
    target: '≥ 0.25×',
    met: p1.a / p1.b >= 0.25,
  });
  await stop(raw);

  const authLoad = (url: string, headers: Record<string, string>) => () =>
    measured(serverPid, () => wrk(url + path, headers, authSeconds));
  const overhead = await compareRounds(authRounds, authLoad(info.lapis, auth), authLoad(info.open, {}));
  // The least any check that keeps no token text does (bench/server.ts): it puts the Auth row's target in proportion.
  await wrk(info.floor + path, auth, 2);
  const floor = await compareRounds(authRounds, authLoad(info.floor, auth), authLoad(info.open, {}));
  // The floor answered as the gate answers an identified caller: the most the Auth row can read on this route.
  await wrk(info.answered + path, auth, 2);
  const ceiling = await compareRounds(authRounds, authLoad(info.answered, auth), authLoad(info.open, {}));
  const paired = (comparison: Comparison) =>
    `${comparison.pairedRate.toFixed(2)}×, ${Math.round(comparison.aCpu)} vs ${Math.round(comparison.bCpu)} µs CPU per request`;
  figures.push({
    id: 'Auth',
    name: `Same route with the PAT check, req/s (median of ${authRounds} rounds of ${authSeconds} s; the ratio is the median of each round's, paired with its neighbour)`,
    value: `${Math.round(overhead.a)}${cpuNote(overhead.aCpu)}`,
    baseline: `${Math.round(overhead.b)}: the same routes and services, access admitted without a credential${cpuNote(overhead.bCpu)}`,
    ratio: overhead.pairedRate,
    target: '≥ 0.95× (≤ 5% overhead)',
    met: overhead.pairedRate >= 0.95,
    note: `a SHA-256 of the credential and one lookup alone: ${paired(floor)}; the same answered with the identified caller's headers (\`X-VSS-UserData\`, expiry): ${paired(ceiling)}`,
  });

  await stop(server);

  // Memory is measured on the deployed binary, not under the TypeScript loader (which holds a heap of its own).
  const instance = await startInstance();
  children.push(instance.child);
  const instanceAuth = { authorization: `Basic ${Buffer.from(`:${instance.pat}`).toString('base64')}` };
  await wrk(instance.url + path, instanceAuth, 2);
  const idleRss = rssMegabytes(instance.child.pid ?? 0);
  const sustained = await wrk(instance.url + path, instanceAuth, rssSeconds);
  const loadedRss = rssMegabytes(instance.child.pid ?? 0);
  if (sustained.non2xx > 0) throw new Error('the instance answered non-2xx under load');
  figures.push({
    id: 'RSS',
    name: `Resident memory of \`lapis serve\` after ${rssSeconds} s of builds-list load (${Math.round(sustained.perSecond)} req/s)`,
    value: `${loadedRss.toFixed(0)} MB`,
    baseline: `${idleRss.toFixed(0)} MB after start and a 2 s warm-up`,
    ratio: loadedRss / idleRss,
    target: '≤ 150 MB',
    met: loadedRss <= 150,
  });
  await stop(instance.child);
  rmSync(instance.dataDir, { recursive: true, force: true });

  figures.push(...(await attempt('P2, P3', async () => (await import('./verification.js')).run({ large: tokens, samples }))));

  // Two `lapis serve` processes of their own on PostgreSQL (LAPIS_BENCH_DATABASE_URL), unpinned: both must run at once.
  figures.push(...(await attempt('P4', async () => (await import('./revocation-lag.js')).run())));

  // P5 loads a million builds into a store of its own: run in its own process, it reports on its last line.
  figures.push(...(await attempt('P5', async () => [(await start<Figure>('builds-list.ts')).info])));
} finally {
  for (const child of children) await stop(child);
  rmSync(work, { recursive: true, force: true });
}

const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—');
const rows = figures.map(
  (f) =>
    `| ${f.id} | ${f.name} | ${f.value} | ${f.baseline} | ${ratio(f.ratio)} | ${f.target} | ${f.met ? 'met' : '**not met**'}${f.note ? ` (${f.note})` : ''} |`,
);
writeSection(
  'Suite',
  `Written by \`npm run bench\` (${machine()}; ${rounds} alternating rounds of ${seconds} s per load, ${authRounds} of ${authSeconds} s for the Auth row, wrk \`-t1 -c50\` in its own process${pinning.available ? ', server on core 0 and wrk on core 1 (`taskset`)' : ', unpinned'}; SQLite with the demo seed). The machine may be shared: compare each figure with its baseline, measured in the same run, not with other runs.

| | Figure | Value | Baseline (same run) | Ratio | Target | |
|---|---|---|---|---|---|---|
${rows.join('\n')}`,
);
for (const f of figures) console.log(`${f.id}: ${f.value} vs ${f.baseline}: ${ratio(f.ratio)} (${f.met ? 'met' : 'not met'})`);
