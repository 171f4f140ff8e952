import { loadavg } from 'node:os';
import { compare, measured, startChild, stopChild } from './processes.js';
import { machine } from './results.js';
import { wrk } from './wrk.js';

/**
 * The suite's Auth row alone (`npm run bench:auth`): `bench/server.ts` answers the same builds list through the PAT
 * check and admitting the caller without a credential, then the floor (a SHA-256 of the credential and one lookup)
 * and the ceiling (the floor, answered as an identified caller is) each against the same admitting port; wrk loads them in
 * alternating rounds from its own process and the server's CPU time per request is read from /proc. Prints the
 * figures; writes nothing.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const path = '/fabrikam/Fabrikam%20Web/_apis/build/builds?$top=10&api-version=7.1';

const { child, info } = await startChild<{ lapis: string; open: string; floor: string; answered: string; pat: string }>(
  'server.ts',
);
try {
  const auth = { authorization: `Basic ${Buffer.from(`:${info.pat}`).toString('base64')}` };
  await wrk(info.lapis + path, auth, 2);
  await wrk(info.open + path, {}, 2);
  await wrk(info.floor + path, auth, 2);
  await wrk(info.answered + path, auth, 2);
  const pid = child.pid ?? 0;
  const load = loadavg()[0]?.toFixed(2);
  const result = await compare(
    rounds,
    () => measured(pid, () => wrk(info.lapis + path, auth, seconds)),
    () => measured(pid, () => wrk(info.open + path, {}, seconds)),
  );
  console.log(
    `${machine()}; ${rounds} alternating rounds of ${seconds} s; load average ${load} before, ${loadavg()[0]?.toFixed(2)} after`,
  );
  console.log(
    `PAT check: ${Math.round(result.a)} req/s (${result.aList}); ${Math.round(result.aCpu)} µs CPU (${result.aCpuList})`,
  );
  console.log(
    `admitted:  ${Math.round(result.b)} req/s (${result.bList}); ${Math.round(result.bCpu)} µs CPU (${result.bCpuList})`,
  );
  console.log(
    `ratio req/s ${(result.a / result.b).toFixed(3)}×; CPU admitted/PAT ${(result.bCpu / result.aCpu).toFixed(3)}×; paired by round: req/s ${result.pairedRate.toFixed(3)}×, CPU ${result.pairedCpu.toFixed(3)}×`,
  );
  const floor = await compare(
    rounds,
    () => measured(pid, () => wrk(info.floor + path, auth, seconds)),
    () => measured(pid, () => wrk(info.open + path, {}, seconds)),
  );
  console.log(
    `floor (SHA-256 of the credential and one lookup): ${Math.round(floor.a)} req/s, ${Math.round(floor.aCpu)} µs CPU; admitted ${Math.round(floor.b)} req/s, ${Math.round(floor.bCpu)} µs CPU; ratio req/s ${(floor.a / floor.b).toFixed(3)}× (paired by round ${floor.pairedRate.toFixed(3)}×)`,
  );
  const ceiling = await compare(
    rounds,
    () => measured(pid, () => wrk(info.answered + path, auth, seconds)),
    () => measured(pid, () => wrk(info.open + path, {}, seconds)),
  );
  console.log(
    `ceiling (the floor, answered with the identified caller's headers): ${Math.round(ceiling.a)} req/s, ${Math.round(ceiling.aCpu)} µs CPU; admitted ${Math.round(ceiling.b)} req/s, ${Math.round(ceiling.bCpu)} µs CPU; ratio req/s ${(ceiling.a / ceiling.b).toFixed(3)}× (paired by round ${ceiling.pairedRate.toFixed(3)}×)`,
  );
} finally {
  await stopChild(child);
}
