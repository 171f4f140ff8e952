import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { rememberedAddresses } from '../src/services/address-ranges.js';
import type { RestrictionsInput } from '../src/services/tokens.js';
import { openSqliteStore } from '../src/storage/sqlite/open.js';
import { median } from './load.js';
import { machine, writeSection } from './results.js';

/**
 * Cost of a PAT's restrictions on the authenticated hot path: one real API route served to an unrestricted token,
 * to a second unrestricted token (the control: how far two identical cases drift apart), to a token with each
 * restriction alone and to one with every restriction, loaded by wrk in a separate process. Each round runs every
 * case once, back to back, in an order reversed every other round, so drift in machine speed hits all alike. Run
 * once with the in-process rate counter and once with Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/0).
 *
 * The figure that decides is the server's CPU time per request (process.cpuUsage over the requests wrk counted):
 * on a shared machine other processes take the CPU away from rounds unevenly, which moves throughput by a factor of
 * ten but leaves the work each request costs this process nearly unchanged. Each case's ratio is the median over
 * rounds of its CPU per request divided by the unrestricted token's in the same round.
 *
 * BENCH_ONLY=<case> (e.g. `every restriction`) serves only that case, with the in-process counter or BENCH_COUNTER=Redis,
 * and writes nothing: for `node --cpu-prof --import tsx bench/restrictions.ts`.
 */
type Counter = 'in-process' | 'Redis';
const run = promisify(execFile);
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 12);
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0?keyPrefix=lapis-bench-restrictions:';
const only = process.env.BENCH_ONLY;
const loadAtStart = loadavg()[0] ?? 0;
const onlyCounter: Counter = process.env.BENCH_COUNTER === 'Redis' ? 'Redis' : 'in-process';

// High enough never to refuse during the run: the cost measured is counting, not 429s.
const rateLimit = '1000000/min';
const allowedAddresses = ['127.0.0.0/8', '10.0.0.0/8', '2001:db8::/32'];
interface Case {
  name: string;
  restrictions?: RestrictionsInput;
  /** Counters whose runs include this case; cases that count nothing run with the in-process one only. */
  counters: readonly Counter[];
}
const unrestricted = 'unrestricted token';
const cases: readonly Case[] = [
  { name: unrestricted, counters: ['in-process', 'Redis'] },
  { name: 'unrestricted (control)', counters: ['in-process', 'Redis'] },
  { name: 'project only', restrictions: { projects: ['web'] }, counters: ['in-process'] },
  { name: 'read-only only', restrictions: { readOnly: true }, counters: ['in-process'] },
  { name: 'address ranges only', restrictions: { allowedAddresses }, counters: ['in-process'] },
  { name: 'rate limit only', restrictions: { rateLimit }, counters: ['in-process', 'Redis'] },
  {
    name: 'every restriction',
    restrictions: { projects: ['web'], readOnly: true, allowedAddresses, rateLimit },
    counters: ['in-process', 'Redis'],
  },
];

interface Round {
  perSecond: number;
  /** Server CPU (user + system) per answered request. */
  cpuMicros: number;
}

async function wrk(url: string, authorization: string): Promise<Round> {
  const before = process.cpuUsage();
  const { stdout } = await run('wrk', ['-t2', '-c32', `-d${seconds}s`, '-H', `Authorization: ${authorization}`, url]);
  const cpu = process.cpuUsage(before);
  if (/Non-2xx/.test(stdout)) throw new Error(`non-2xx answers:\n${stdout}`);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const count = /(\d+) requests in/.exec(stdout);
  if (!rate || !count) throw new Error(`no request counts in wrk output:\n${stdout}`);
  return { perSecond: Number(rate[1]), cpuMicros: (cpu.user + cpu.system) / Number(count[1]) };
}

interface CaseResult {
  name: string;
  rounds: Round[];
  /** Median over rounds of this case's CPU per request over the unrestricted token's in the same round. */
  ratio: number;
}

async function measure(counter: Counter, measured: readonly Case[]): Promise<CaseResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lapis-bench-restrictions-'));
  const config = loadConfig({
    env: { LAPIS_DATA_DIR: dataDir, LAPIS_LOG_LEVEL: 'silent', ...(counter === 'Redis' && { LAPIS_REDIS_URL: redisUrl }) },
  });
  const store = openSqliteStore(join(dataDir, 'lapis.db'));
  await store.migrate();
  const lapis = await buildApp({ config, store });
  const alice = await lapis.services.users.add({ username: 'alice' });
  const contoso = await lapis.services.organizations.add('contoso', 'alice');
  await lapis.services.projects.add(contoso.id, { name: 'web' });
  const authorizations: string[] = [];
  for (const { restrictions } of measured) {
    const { text } = await lapis.services.tokens.create({
      user: alice,
      displayName: 'bench',
      scope: 'vso.build',
      organizationId: contoso.id,
      ...(restrictions && { restrictions }),
    });
    authorizations.push(`Basic ${Buffer.from(`:${text}`).toString('base64')}`);
  }
  const base = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `${base}/contoso/web/_apis/build/definitions?api-version=7.1`;
  for (const authorization of authorizations) await wrk(url, authorization);
  const figures: Round[][] = measured.map(() => []);
  const indexes = measured.map((_, index) => index);
  for (let round = 0; round < rounds; round++) {
    for (const index of round % 2 === 0 ? indexes : [...indexes].reverse()) {
      figures[index]?.push(await wrk(url, authorizations[index] ?? ''));
    }
  }
  await lapis.app.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  const baseline = figures[0] ?? [];
  return measured.map((one, index) => {
    const measuredRounds = figures[index] ?? [];
    return {
      name: one.name,
      rounds: measuredRounds,
      ratio: median(measuredRounds.map((r, i) => r.cpuMicros / (baseline[i]?.cpuMicros ?? r.cpuMicros))),
    };
  });
}

const fmt = (values: number[]) => `${Math.round(median(values))} (${values.map((v) => Math.round(v)).join(', ')})`;
const summary = (counter: Counter, result: CaseResult) =>
  `${result.name}, ${counter}: CPU µs/request ${fmt(result.rounds.map((r) => r.cpuMicros))}, ratio ${result.ratio.toFixed(3)}; req/s ${fmt(result.rounds.map((r) => r.perSecond))}`;

if (only) {
  const chosen = cases.find((one) => one.name === only);
  if (!chosen) throw new Error(`BENCH_ONLY names no case; the cases are: ${cases.map((one) => one.name).join(', ')}`);
  for (const result of await measure(onlyCounter, [chosen])) console.log(summary(onlyCounter, result));
} else {
  const counters: Counter[] = ['in-process', 'Redis'];
  const results: { counter: Counter; result: CaseResult }[] = [];
  for (const counter of counters) {
    const measured = await measure(
      counter,
      cases.filter((one) => one.counters.includes(counter)),
    );
    results.push(...measured.map((result) => ({ counter, result })));
  }
  const row = ({ counter, result }: { counter: Counter; result: CaseResult }) => {
    const ratio = result.name === unrestricted ? '' : result.ratio.toFixed(3);
    const emphasised = result.name === 'every restriction' ? `**${ratio}**` : ratio;
    return `| ${result.name} | ${counter} | ${fmt(result.rounds.map((r) => r.cpuMicros))} | ${fmt(result.rounds.map((r) => r.perSecond))} | ${emphasised} |`;
  };
  const every = results.filter(({ result }) => result.name === 'every restriction');
  writeSection(
    'Restrictions cost',
    `\`GET {org}/{project}/_apis/build/definitions\` through the real router, for an unrestricted PAT, a second unrestricted PAT (the control: the noise floor), a PAT with each restriction alone and one with every restriction (project, read-only, three address ranges, a rate limit high enough never to refuse), loaded by \`wrk -t2 -c32\` from a separate process (\`npm run bench:restrictions\`; ${rounds} rounds of ${seconds} s per case, each round every case back to back in an order reversed every other round, SQLite, ${machine()}; load average ${loadAtStart.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end).

**Every restriction / unrestricted, server CPU per request: ${every.map(({ counter, result }) => `${result.ratio.toFixed(3)} (${counter} rate counter)`).join(', ')}.**

| token | rate counter | server CPU µs per request, median (per round) | req/s, median (per round) | CPU / unrestricted, median of same-round ratios |
|---|---|---|---|---|
${results.map(row).join('\n')}

Restrictions are built once per cached token lookup, so a request pays a set lookup, an address check answered from the token's memo of the last ${rememberedAddresses} client addresses it judged (a \`BlockList\` check, about 6 µs, only for an address it has not seen), and, for the rate, one counter hit: a map update in the process, or a share of one Redis round trip when instances share the count (a token's hits that arrive while its previous increment is on its way go together as one \`INCRBY\`, each getting its own count back) and the three \`RateLimit-*\` headers every answer then carries. The project check reuses the project lookup the route makes anyway. On a shared machine rounds of the same token can differ by 2x; read every ratio against the control's. Read a ratio below 1 with Redis as no measurable cost, not as a saving: while requests wait for Redis the server probably answers more of them per turn of its event loop, which a loaded machine rewards.`,
  );
  for (const { counter, result } of results) console.log(summary(counter, result));
}
