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
  /** A port loaded with the credential against the admitting port, in the same alternating rounds, on one line. */
  const againstAdmitted = async (label: string, url: string) => {
    const side = await compare(
      rounds,
      () => measured(pid, () => wrk(url + path, auth, seconds)),
      () => measured(pid, () => wrk(info.open + path, {}, seconds)),
    );
    console.log(
      `${label}: ${Math.round(side.a)} req/s, ${Math.round(side.aCpu)} µs CPU; admitted ${Math.round(side.b)} req/s, ${Math.round(side.bCpu)} µs CPU; ratio req/s ${(side.a / side.b).toFixed(3)}× (paired by round ${side.pairedRate.toFixed(3)}×)`,
    );
  };
  await againstAdmitted('floor (SHA-256 of the credential and one lookup)', info.floor);
  await againstAdmitted("ceiling (the floor, answered with the identified caller's headers)", info.answered);
} finally {
  await stopChild(child);
}
