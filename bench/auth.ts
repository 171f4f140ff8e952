import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { setAdoResponseHeaders } from '../src/http/ado-headers.js';
import { createServer } from '../src/http/server.js';
import { openSqliteStore } from '../src/storage/sqlite/open.js';
import { load, median } from './load.js';
import { machine, writeSection } from './results.js';

/**
 * Cost of authentication: the same handler served twice on one server, once open and once behind the
 * PAT chain, loaded in alternating rounds so drift in machine speed hits both alike.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'lapis-bench-auth-'));
const config = loadConfig({ env: { LAPIS_DATA_DIR: dataDir, LAPIS_LOG_LEVEL: 'silent' } });
const store = openSqliteStore(join(dataDir, 'lapis.db'));
await store.migrate();
const lapis = await buildApp({ config, store });
const alice = await lapis.services.users.add({ username: 'alice' });
const contoso = await lapis.services.organizations.add('contoso', 'alice');
const { text } = await lapis.services.tokens.create({
  user: alice,
  displayName: 'bench',
  scope: 'vso.build',
  organizationId: contoso.id,
});

const server = createServer({ config });
const answer = { organization: contoso.name, ok: true };
// Both routes resolve the organization from the URL, as every API route does; only authentication differs.
server.get('/:organization/_apis/open', async (request, reply) => {
  setAdoResponseHeaders(request, reply);
  await store.organizations.findByName((request.params as { organization: string }).organization);
  return answer;
});
server.get('/:organization/_apis/protected', async (request, reply) => {
  setAdoResponseHeaders(request, reply);
  const organization = await store.organizations.findByName((request.params as { organization: string }).organization);
  const admission = await lapis.access.admit(request, reply, {
    ...(organization && { organization }),
    scopes: ['vso.build'],
    label: 'GET bench',
  });
  if ('answered' in admission) return admission.answered;
  return answer;
});
const base = await server.listen({ port: 0, host: '127.0.0.1' });
const authorization = `Basic ${Buffer.from(`:${text}`).toString('base64')}`;

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
await load(`${base}/contoso/_apis/open`, {}, 1);
await load(`${base}/contoso/_apis/protected`, { authorization }, 1);
const open: number[] = [];
const authenticated: number[] = [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['open', 'auth'] : ['auth', 'open'];
  for (const which of order) {
    const result =
      which === 'open'
        ? await load(`${base}/contoso/_apis/open`, {}, seconds)
        : await load(`${base}/contoso/_apis/protected`, { authorization }, seconds);
    if (Object.keys(result.statuses).some((s) => s !== '200'))
      throw new Error(`unexpected statuses ${JSON.stringify(result.statuses)}`);
    (which === 'open' ? open : authenticated).push(result.perSecond);
  }
}
await server.close();
await lapis.app.close();
await store.close();
rmSync(dataDir, { recursive: true, force: true });

const ratio = median(authenticated) / median(open);
const fmt = (values: number[]) => `${Math.round(median(values))} (${values.map((v) => Math.round(v)).join(', ')})`;
writeSection(
  'Authentication cost',
  `Same handler, same server, one run (\`npx tsx bench/auth.ts\`; ${rounds} alternating rounds of ${seconds} s, 32 keep-alive connections from the same process, SQLite, ${machine()}).

| route | req/s, median (per round) |
|---|---|
| open (no authentication) | ${fmt(open)} |
| PAT over Basic (verified, cached) | ${fmt(authenticated)} |

**Authenticated / open throughput: ${ratio.toFixed(2)}.** A verified token is cached for \`LAPIS_AUTH_CACHE_MS\` (500 ms), so steady load costs one HMAC-SHA-256, a map lookup and the membership check per request, plus one store lookup per token per cache period.`,
);
console.log(`open ${fmt(open)} req/s; authenticated ${fmt(authenticated)} req/s; ratio ${ratio.toFixed(2)}`);
