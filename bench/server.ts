import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { type RenderedPages, renderedPageBounds, renderedPageSize } from '../src/http/api/build-pages.js';
import { registerApi } from '../src/http/api/router.js';
import type { AccessGate } from '../src/http/auth/access-gate.js';
import { LapisMetrics } from '../src/http/metrics.js';
import { createServer } from '../src/http/server.js';
import { BuildPageCache } from '../src/services/build-page-cache.js';
import { openSqliteStore } from '../src/storage/sqlite/open.js';

/**
 * One Lapis instance for the load benchmarks, run as its own process (pinned by the runner): SQLite with the demo
 * seed, listening twice over the same store and services. The first port is Lapis as deployed (the PAT chain);
 * the second serves the same API routes, with the same request metrics, through an access step that admits the token's owner without looking at any
 * credential, which is what "the same route without the PAT check" means. Prints one JSON line, serves until SIGTERM.
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
const { text: pat } = await services.tokens.create({
  user: alice,
  displayName: 'bench',
  scope: 'vso.build',
  organizationId: organization.id,
  // Outside the expiry warning window, as most tokens are most of their life: no warning header on every answer.
  days: 30,
});

const open = createServer({ config, logStream: silent });
// The same request metrics as the real app, so the comparison leaves out only identification and authorization.
new LapisMetrics({ store, credentials: services.context.credentials, caches: {} }).register(open, config);
const principal = {
  user: alice,
  credential: 'pat' as const,
  scopes: new Set(['vso.base', 'vso.build']),
  organizationId: organization.id,
  memberOf: new Set([organization.id]),
};
// Only `admit` is used by the router; this one skips identification and authorization entirely.
// A value, not a promise, as the real gate answers a cached credential: the baseline pays no microtask turn either.
const admitAll = { admit: () => ({ principal }) } as unknown as AccessGate;
// Its own build page cache, as the real app has one: the comparison leaves out only the credential check.
const pages: RenderedPages = new BuildPageCache(services.context, {
  cacheMs: config.authCacheMs,
  ...renderedPageBounds,
  sizeOf: renderedPageSize,
});
await registerApi(open, { services, access: admitAll, config, pages });

const lapisUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
const openUrl = await open.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ lapis: lapisUrl, open: openUrl, pat, builds: seeded.builds }));

process.on('SIGTERM', () => {
  void (async () => {
    await open.close();
    await lapis.app.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
