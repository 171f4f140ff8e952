import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildServices, configuredClock } from '../src/compose.js';
import { loadConfig } from '../src/config/load.js';
import { MembershipCache } from '../src/services/membership-cache.js';
import { PatVerifier } from '../src/services/pat-verifier.js';
import { openSqliteStore } from '../src/storage/sqlite/open.js';
import type { Figure } from './figures.js';

const realTokens = 200;
const rowsPerStatement = 500;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? Number.NaN;
}

interface TokenStore {
  services: ReturnType<typeof buildServices>;
  texts: string[];
  authCacheMs: number;
  close(): Promise<void>;
}

/** A SQLite store holding `total` tokens: `realTokens` made by the token service, the rest filler rows. */
async function tokenStore(total: number): Promise<TokenStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lapis-bench-verify-'));
  const config = loadConfig({ env: { LAPIS_DATA_DIR: dataDir, LAPIS_LOG_LEVEL: 'silent' } });
  const store = openSqliteStore(join(dataDir, 'lapis.db'));
  await store.migrate();
  const services = buildServices(store, configuredClock(config), config);
  const alice = await services.users.add({ username: 'alice' });
  const organization = await services.organizations.add('contoso', 'alice');
  const texts: string[] = [];
  for (let i = 0; i < realTokens; i++) {
    const { text } = await services.tokens.create({
      user: alice,
      displayName: `t${i}`,
      scope: 'vso.build',
      organizationId: organization.id,
      days: 1,
    });
    texts.push(text);
  }
  for (let stored = realTokens; stored < total; ) {
    const end = Math.min(total, stored + 50_000);
    await store.kysely.transaction().execute(async (trx) => {
      for (let first = stored; first < end; first += rowsPerStatement) {
        const now = new Date().toISOString();
        const rows = Array.from({ length: Math.min(rowsPerStatement, end - first) }, () => ({
          id: randomUUID(),
          user_id: alice.id,
          display_name: 'filler',
          scopes: 'vso.build',
          organization_id: organization.id,
          valid_from: now,
          valid_to: now,
          created_at: now,
          revoked_at: null,
          last_used_at: null,
          token_hash: randomBytes(32).toString('base64url'),
        }));
        await trx.insertInto('personal_access_tokens').values(rows).execute();
      }
    });
    stored = end;
  }
  return {
    services,
    texts,
    authCacheMs: config.authCacheMs,
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Per-verification times with the cache off, so every call reads the token and its user from the store. */
async function uncachedTimes(tokens: TokenStore, samples: number): Promise<number[]> {
  const { services } = tokens;
  const verifier = new PatVerifier(services.context, services.hasher, new MembershipCache(services.context, 0), {
    acceptLegacy: false,
    cacheMs: 0,
  });
  const times: number[] = [];
  for (let i = 0; i < samples + 100; i++) {
    const text = tokens.texts[i % tokens.texts.length] ?? '';
    const started = performance.now();
    const verdict = await verifier.verify(text);
    const took = performance.now() - started;
    if (verdict.status !== 'active') throw new Error(`a valid token verified as ${verdict.status}`);
    if (i >= 100) times.push(took);
  }
  return times;
}

/**
 * P2 and P3, in-process on SQLite. P2: the verifier with its cache off at 1,000 and at `large` stored tokens, two stores
 * measured in alternating rounds. P3: with the cache as deployed, a token whose checksum is wrong against a valid one.
 */
export async function run(options: { large: number; samples: number }): Promise<Figure[]> {
  const small = await tokenStore(1_000);
  const large = await tokenStore(options.large);
  const smallTimes: number[] = [];
  const largeTimes: number[] = [];
  for (let round = 0; round < 4; round++) {
    smallTimes.push(...(await uncachedTimes(small, options.samples / 4)));
    largeTimes.push(...(await uncachedTimes(large, options.samples / 4)));
  }
  await large.close();

  const { services } = small;
  const deployed = new PatVerifier(services.context, services.hasher, new MembershipCache(services.context, small.authCacheMs), {
    acceptLegacy: false,
    cacheMs: small.authCacheMs,
  });
  const valid = small.texts[0] ?? '';
  const badChecksum = valid.slice(0, -1) + (valid.at(-1) === 'A' ? 'B' : 'A');
  const batch = async (text: string, expected: string) => {
    const started = performance.now();
    for (let i = 0; i < 1000; i++) {
      const verdict = await deployed.verify(text);
      if (verdict.status !== expected) throw new Error(`expected ${expected}, got ${verdict.status}`);
    }
    return (performance.now() - started) / 1000;
  };
  const validTimes: number[] = [];
  const badTimes: number[] = [];
  for (let round = 0; round < 50; round++) {
    validTimes.push(await batch(valid, 'active'));
    badTimes.push(await batch(badChecksum, 'malformed'));
  }
  await small.close();

  const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
  const p2 = percentile(largeTimes, 0.5) / percentile(smallTimes, 0.5);
  const p3 = percentile(badTimes, 0.5) / percentile(validTimes, 0.5);
  return [
    {
      id: 'P2',
      name: `PAT verification p50, cache off, at ${options.large.toLocaleString('en-US')} stored tokens`,
      value: us(percentile(largeTimes, 0.5)),
      baseline: `${us(percentile(smallTimes, 0.5))} at 1,000 tokens`,
      ratio: p2,
      target: '≤ 1.1×',
      met: p2 <= 1.1,
    },
    {
      id: 'P3',
      name: 'Token with a bad checksum refused (p50 per call over 1,000-call batches)',
      value: us(percentile(badTimes, 0.5)),
      baseline: `${us(percentile(validTimes, 0.5))}, a valid token accepted (cache as deployed)`,
      ratio: p3,
      target: '≤ 1×',
      met: p3 <= 1,
    },
  ];
}
