import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import type { RestrictionsInput } from '../src/services/tokens.js';
import { openSqliteStore } from '../src/storage/sqlite/open.js';
import { median } from './load.js';
import { machine, writeSection } from './results.js';

/**
 * Cost of a PAT's restrictions on the authenticated hot path: one real API route served to an unrestricted token
 * and to a token with every restriction (project, read-only, address range, rate), loaded by wrk in a separate
 * process in alternating rounds, so drift in machine speed hits both alike. Run once with the in-process rate
 * counter and once with Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/0).
 *
 * The figure that decides is the server's CPU time per request (process.cpuUsage over the requests wrk counted):
 * on a shared machine other processes take the CPU away from both tokens' rounds unevenly, which moves
 * throughput by a factor of ten but leaves the work each request costs this process nearly unchanged.
 */
const run = promisify(execFile);
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const everyRestriction: RestrictionsInput = {
  projects: ['web'],
  readOnly: true,
  allowedAddresses: ['127.0.0.0/8', '10.0.0.0/8', '2001:db8::/32'],
  // High enough never to refuse during the run: the cost measured is counting, not 429s.
  rateLimit: '1000000/min',
};

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

async function measure(counter: 'in-process' | 'Redis') {
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
  const token = async (restrictions?: RestrictionsInput) => {
    const { text } = await lapis.services.tokens.create({
      user: alice,
      displayName: 'bench',
      scope: 'vso.build',
      organizationId: contoso.id,
      ...(restrictions && { restrictions }),
    });
    return `Basic ${Buffer.from(`:${text}`).toString('base64')}`;
  };
  const plain = await token();
  const restricted = await token(everyRestriction);
  const base = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `${base}/contoso/web/_apis/build/definitions?api-version=7.1`;
  await wrk(url, plain);
  await wrk(url, restricted);
  const unrestrictedRounds: Round[] = [];
  const restrictedRounds: Round[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['plain', 'restricted'] : ['restricted', 'plain'];
    for (const which of order) {
      if (which === 'plain') unrestrictedRounds.push(await wrk(url, plain));
      else restrictedRounds.push(await wrk(url, restricted));
    }
  }
  await lapis.app.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  const cpu = (rounds: Round[]) => rounds.map((round) => round.cpuMicros);
  const rates = (rounds: Round[]) => rounds.map((round) => round.perSecond);
  return {
    counter,
    unrestricted: { cpu: cpu(unrestrictedRounds), rates: rates(unrestrictedRounds) },
    restricted: { cpu: cpu(restrictedRounds), rates: rates(restrictedRounds) },
    ratio: median(cpu(restrictedRounds)) / median(cpu(unrestrictedRounds)),
  };
}

const results = [await measure('in-process'), await measure('Redis')];
const fmt = (values: number[]) => `${Math.round(median(values))} (${values.map((v) => Math.round(v)).join(', ')})`;
const rows = results.flatMap((result) => [
  `| unrestricted token | ${result.counter} | ${fmt(result.unrestricted.cpu)} | ${fmt(result.unrestricted.rates)} | |`,
  `| every restriction | ${result.counter} | ${fmt(result.restricted.cpu)} | ${fmt(result.restricted.rates)} | **${result.ratio.toFixed(3)}** |`,
]);
writeSection(
  'Restrictions cost',
  `\`GET {org}/{project}/_apis/build/definitions\` through the real router, for an unrestricted PAT and for one with every restriction (project, read-only, three address ranges, a rate limit high enough never to refuse), loaded by \`wrk -t2 -c32\` from a separate process (\`npx tsx bench/restrictions.ts\`; ${rounds} alternating rounds of ${seconds} s, SQLite, ${machine()}).

| token | rate counter | server CPU µs per request, median (per round) | req/s, median (per round) | restricted / unrestricted CPU |
|---|---|---|---|---|
${rows.join('\n')}

Restrictions are built once per cached token lookup, so a request pays a set lookup, a \`BlockList\` check and, for the rate, one counter hit: a map update in the process, or one Redis round trip (one script: \`INCR\`, \`PEXPIRE\` on the first hit) when instances share the count. The project check reuses the project lookup the route makes anyway. On a shared machine rounds of the same token can differ by 2x; compare the two ratios before trusting either.`,
);
for (const result of results) {
  console.log(
    `${result.counter}: CPU µs/request unrestricted ${fmt(result.unrestricted.cpu)}, restricted ${fmt(result.restricted.cpu)}, ratio ${result.ratio.toFixed(3)}; req/s ${fmt(result.unrestricted.rates)} vs ${fmt(result.restricted.rates)}`,
  );
}
