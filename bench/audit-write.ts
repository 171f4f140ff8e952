import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { type AuditEvent, auditEntry } from '../src/domain/audit.js';
import { setAdoResponseHeaders } from '../src/http/ado-headers.js';
import { createServer } from '../src/http/server.js';
import { openSqliteStore } from '../src/storage/sqlite/open.js';
import { load, median } from './load.js';
import { machine, writeSection } from './results.js';

/**
 * Cost of the audit log on the request path: the same handler served three ways on one server (no audit, an
 * event recorded through the batched AuditLog, an event inserted and awaited), in alternating rounds.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'lapis-bench-audit-'));
const config = loadConfig({ env: { LAPIS_DATA_DIR: dataDir, LAPIS_LOG_LEVEL: 'silent' } });
const store = openSqliteStore(join(dataDir, 'lapis.db'));
await store.migrate();
const lapis = await buildApp({ config, store });
const { audit } = lapis.services;
const alice = await lapis.services.users.add({ username: 'alice' });
const contoso = await lapis.services.organizations.add('contoso', 'alice');

const event = (): AuditEvent => ({
  action: 'admin.action',
  origin: { actor: { userId: alice.id, name: 'alice' }, via: 'api', ipAddress: '127.0.0.1' },
  operation: 'bench.call',
  target: contoso.name,
  organizationId: contoso.id,
});
let sequence = 0;

const server = createServer({ config });
const answer = { organization: contoso.name, ok: true };
const routes = {
  plain: async () => answer,
  recorded: async () => {
    audit.record(event());
    return answer;
  },
  awaited: async () => {
    await store.audit.insertMany([auditEntry(event(), `bench-${String(++sequence).padStart(12, '0')}`, new Date())]);
    return answer;
  },
} as const;
type Route = keyof typeof routes;
for (const [name, handler] of Object.entries(routes)) {
  server.get(`/:organization/_apis/${name}`, async (request, reply) => {
    setAdoResponseHeaders(request, reply);
    await store.organizations.findByName((request.params as { organization: string }).organization);
    return handler();
  });
}
const base = await server.listen({ port: 0, host: '127.0.0.1' });

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const names = Object.keys(routes) as Route[];
for (const name of names) await load(`${base}/contoso/_apis/${name}`, {}, 1);
const results: Record<Route, number[]> = { plain: [], recorded: [], awaited: [] };
// CPU time of this process per request (server and load generator alike): unlike throughput, other processes on a
// shared machine do not move it much. The recorded route's share of the batched writes is included (flushed per round).
const cpu: Record<Route, number[]> = { plain: [], recorded: [], awaited: [] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? names : [...names].reverse();
  for (const name of order) {
    const before = process.cpuUsage();
    const result = await load(`${base}/contoso/_apis/${name}`, {}, seconds);
    await audit.flush();
    const used = process.cpuUsage(before);
    cpu[name].push((used.user + used.system) / result.requests);
    if (Object.keys(result.statuses).some((s) => s !== '200'))
      throw new Error(`unexpected statuses ${JSON.stringify(result.statuses)}`);
    results[name].push(result.perSecond);
  }
}
await server.close();
await lapis.app.close();
const written = (
  await store.kysely
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
).n;
await store.close();
rmSync(dataDir, { recursive: true, force: true });

const ratio = median(results.recorded) / median(results.plain);
const cpuRatio = median(cpu.recorded) / median(cpu.plain);
const micros = (values: number[]) => `${Math.round(median(values))} µs`;
const awaitedRatio = median(results.awaited) / median(results.plain);
const fmt = (values: number[]) => `${Math.round(median(values))} (${values.map((v) => Math.round(v)).join(', ')})`;
writeSection(
  'Audit log cost',
  `Same handler, same server, one run (\`npx tsx bench/audit-write.ts\`; ${rounds} alternating rounds of ${seconds} s, 32 keep-alive connections from the same process, SQLite, ${machine()}).

| route | req/s, median (per round) | CPU per request, median |
|---|---|---|
| no audit | ${fmt(results.plain)} | ${micros(cpu.plain)} |
| one event recorded per request (queued, written in batches) | ${fmt(results.recorded)} | ${micros(cpu.recorded)} |
| one event inserted and awaited per request (for comparison) | ${fmt(results.awaited)} | ${micros(cpu.awaited)} |

**Recorded / no audit: throughput ${ratio.toFixed(2)}, CPU per request ${cpuRatio.toFixed(2)}** (awaited insert: throughput ${awaitedRatio.toFixed(2)}). ${written} entries were written, none lost at the clean stop. \`record\` pushes to a queue; the queue is written in one multi-row insert every \`LAPIS_AUDIT_FLUSH_MS\` (200 ms). A request never waits for the database, but on SQLite the batched insert runs on the server's own thread: its CPU (the difference in the last column, mostly the insert's statement building and the driver) is paid by the process, not by the request that recorded. This is the worst case, an event on every request of a trivially cheap route, measured on a machine shared by several loaded processes; API calls record events only on token changes, policy violations (once per token and process) and failure bursts.`,
);
console.log(
  `plain ${fmt(results.plain)}; recorded ${fmt(results.recorded)}; awaited ${fmt(results.awaited)}; ratio ${ratio.toFixed(2)}; cpu/request ${micros(cpu.plain)} vs ${micros(cpu.recorded)} (${cpuRatio.toFixed(2)}); awaited ratio ${awaitedRatio.toFixed(2)}; written ${written}`,
);
