import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { setUserDataHeader } from '../src/http/ado-headers.js';
import { type RenderedPages, renderedPageBounds, renderedPageSize } from '../src/http/api/build-pages.js';
import { registerApi } from '../src/http/api/router.js';
import type { AccessGate } from '../src/http/auth/access-gate.js';
import { setCredentialHeaders } from '../src/http/auth/credential-headers.js';
import { LapisMetrics } from '../src/http/metrics.js';
import { createServer } from '../src/http/server.js';
import { BuildPageCache } from '../src/services/build-page-cache.js';
import { openSqliteStore } from '../src/storage/sqlite/open.js';

/**
 * One Lapis instance for the load benchmarks, run as its own process (pinned by the runner): SQLite with the demo
 * seed, listening four times over the same store and services. The first port is Lapis as deployed (the PAT chain);
 * the second serves the same API routes, with the same request metrics, through an access step that admits the token's
 * owner without looking at any credential, which is what "the same route without the PAT check" means; the third admits
 * after a SHA-256 of the credential and one lookup only (the floor below); the fourth does the same and answers with the
 * headers an identified caller gets (the ceiling below). Prints one JSON line, serves until SIGTERM.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'lapis-bench-server-'));
const config = loadConfig({ env: { LAPIS_DATA_DIR: dataDir, LAPIS_LOG_LEVEL: 'warn' } });
const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
const store = openSqliteStore(join(dataDir, 'lapis.db'));
await store.migrate();
const lapis = await buildApp({ config, store, logStream: silent });
const { services } = lapis;
const alice = await services.users.add({ username: 'alice', email: 'alice@example.test', isAdmin: true });
const seeded = await services.demo.seed('fabrikam');
const organization = await services.organizations.get('fabrikam');
const { text: pat, token } = await services.tokens.create({
  user: alice,
  displayName: 'bench',
  scope: 'vso.build',
  organizationId: organization.id,
  // Outside the expiry warning window, as most tokens are most of their life: no warning header on every answer.
  days: 30,
});

/** Another server over the same store and services, its API routes admitted by `access`, with the real app's metrics. */
async function apiServer(access: AccessGate) {
  const server = createServer({ config, logStream: silent });
  new LapisMetrics({ store, credentials: services.context.credentials, caches: {} }).register(server, config);
  // Its own build page cache, as the real app has one: the comparison leaves out only the credential check.
  const pages: RenderedPages = new BuildPageCache(services.context, {
    cacheMs: config.authCacheMs,
    ...renderedPageBounds,
    sizeOf: renderedPageSize,
  });
  await registerApi(server, { services, access, config, pages });
  return server;
}

const principal = {
  user: alice,
  credential: 'pat' as const,
  scopes: new Set(['vso.base', 'vso.build']),
  organizationId: organization.id,
  memberOf: new Set([organization.id]),
  expiresAt: token.validTo,
};
// Only `admit` is used by the router; this one skips identification and authorization entirely.
// A value, not a promise, as the real gate answers a cached credential: the baseline pays no microtask turn either.
const admitAll = { admit: () => ({ principal }) } as unknown as AccessGate;
/**
 * The least a check that keeps no token text in memory does on every request: a SHA-256 of the presented credential
 * and one map lookup by that digest. Nothing else (no parsing, checksum, expiry, membership, headers): how much of the
 * Auth row's 5 % this floor alone takes, on this route, in this run.
 */
const byDigest = new Map<string, typeof principal>();
function lookedUp(request: FastifyRequest): typeof principal {
  const digest = hash('sha256', request.headers.authorization ?? '', 'base64');
  let known = byDigest.get(digest);
  if (!known) {
    known = principal;
    byDigest.set(digest, known);
  }
  return known;
}
const digestOnly = { admit: (request: FastifyRequest) => ({ principal: lookedUp(request) }) } as unknown as AccessGate;
/**
 * The floor again, answered as the gate answers an identified PAT caller: the user named back (`X-VSS-UserData`, as
 * Azure DevOps does) and the token's expiry header, set by the gate's own functions. No check that keeps no token text
 * in memory and answers as Lapis answers costs less on this route: the Auth row's ceiling in this run.
 */
const digestAndAnswer = {
  admit: (request: FastifyRequest, reply: FastifyReply) => {
    const known = lookedUp(request);
    setCredentialHeaders(reply, known, new Date(), config.tokenExpiryWarningDays);
    setUserDataHeader(reply, known);
    return { principal: known };
  },
} as unknown as AccessGate;

const open = await apiServer(admitAll);
const floor = await apiServer(digestOnly);
const answered = await apiServer(digestAndAnswer);
const lapisUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
const openUrl = await open.listen({ port: 0, host: '127.0.0.1' });
const floorUrl = await floor.listen({ port: 0, host: '127.0.0.1' });
const answeredUrl = await answered.listen({ port: 0, host: '127.0.0.1' });
console.log(
  JSON.stringify({ lapis: lapisUrl, open: openUrl, floor: floorUrl, answered: answeredUrl, pat, builds: seeded.builds }),
);

process.on('SIGTERM', () => {
  void (async () => {
    await answered.close();
    await floor.close();
    await open.close();
    await lapis.app.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
