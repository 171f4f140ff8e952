import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildServices } from '../src/compose.js';
import { loadConfig } from '../src/config/load.js';
import { systemClock } from '../src/domain/clock.js';
import { type CompiledRules, compileRules } from '../src/domain/revocation-rules.js';
import { MembershipCache } from '../src/services/membership-cache.js';
import { PatVerifier } from '../src/services/pat-verifier.js';
import { openSqliteStore } from '../src/storage/sqlite/open.js';
import { median } from './load.js';
import { machine, writeSection } from './results.js';

/**
 * Cost of revocation rules on the verification hot path: the same cached PAT verified by two verifiers over
 * one store, one holding no rule and one holding 100 rules of the token's organization (none names its scopes),
 * in alternating rounds in one process. The check is pure and in memory, so an in-process loop measures it.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'lapis-bench-rules-'));
const config = loadConfig({ env: { LAPIS_DATA_DIR: dataDir, LAPIS_LOG_LEVEL: 'silent' } });
const store = openSqliteStore(join(dataDir, 'lapis.db'));
await store.migrate();
const services = buildServices(store, systemClock, config);
const alice = await services.users.add({ username: 'alice' });
const contoso = await services.organizations.add('contoso', 'alice');
const { text } = await services.tokens.create({
  user: alice,
  displayName: 'bench',
  scope: 'vso.build',
  organizationId: contoso.id,
});

const ruleCount = 100;
const rules = compileRules(
  Array.from({ length: ruleCount }, (_, index) => ({
    id: `rule-${index}`,
    organizationId: contoso.id,
    scopes: ['vso.code', 'vso.packaging'],
    createdBefore: new Date(Date.now() + 86_400_000).toISOString(),
    createdBy: alice.id,
    createdAt: new Date().toISOString(),
  })),
);
function verifier(held: CompiledRules): PatVerifier {
  return new PatVerifier(services.context, services.hasher, new MembershipCache(services.context, config.authCacheMs), {
    acceptLegacy: false,
    cacheMs: config.authCacheMs,
    rules: { current: async () => held },
  });
}
const without = verifier(compileRules([]));
const withRules = verifier(rules);

const iterations = Number(process.env.BENCH_ITERATIONS ?? 50_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
async function perSecond(subject: PatVerifier): Promise<number> {
  const start = performance.now();
  for (let index = 0; index < iterations; index++) {
    const result = await subject.verify(text);
    if (result.status !== 'active') throw new Error(`unexpected ${result.status}`);
  }
  return iterations / ((performance.now() - start) / 1000);
}
await perSecond(without);
await perSecond(withRules);
const zero: number[] = [];
const hundred: number[] = [];
for (let round = 0; round < rounds; round++) {
  if (round % 2 === 0) {
    zero.push(await perSecond(without));
    hundred.push(await perSecond(withRules));
  } else {
    hundred.push(await perSecond(withRules));
    zero.push(await perSecond(without));
  }
}
await store.close();
rmSync(dataDir, { recursive: true, force: true });

const ratio = median(hundred) / median(zero);
const fmt = (values: number[]) => `${Math.round(median(values))} (${values.map((v) => Math.round(v)).join(', ')})`;
writeSection(
  'Revocation rules',
  `PAT verification (cached token) with 0 and ${ruleCount} revocation rules in memory (\`npx tsx bench/revocation-rules.ts\`; ${rounds} alternating rounds of ${iterations} verifications in one process, SQLite, ${machine()}). All 100 rules belong to the token's organization and cover its age; none names its scopes, so nothing short-cuts the check.

| rules held | verifications/s, median (per round) |
|---|---|
| 0 | ${fmt(zero)} |
| ${ruleCount} | ${fmt(hundred)} |

**${ruleCount} rules / 0 rules throughput: ${ratio.toFixed(2)}.** The rules are loaded once per \`LAPIS_AUTH_CACHE_MS\` (and at once in the process that adds one); they are folded per organization into the latest \`createdBefore\` per scope, so checking a token is one lookup per scope it holds, whatever the number of rules, on values already in memory, never a query.`,
);
console.log(`0 rules ${fmt(zero)}/s; ${ruleCount} rules ${fmt(hundred)}/s; ratio ${ratio.toFixed(2)}`);
