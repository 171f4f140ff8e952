import type { FastifyInstance } from 'fastify';
import { buildServices, burstRecorder, configuredClock, type Services } from './compose.js';
import type { Config } from './config/schema.js';
import { loadSecret } from './config/secrets.js';
import { authorizationSteps } from './domain/authorization.js';
import type { Clock } from './domain/clock.js';
import { type RenderedPages, renderedPageBounds, renderedPageSize } from './http/api/build-pages.js';
import { registerApi } from './http/api/router.js';
import { AccessGate } from './http/auth/access-gate.js';
import { BasicPasswordAuthenticator } from './http/auth/basic-password.js';
import { BasicPatAuthenticator } from './http/auth/basic-pat.js';
import { BearerOAuthAuthenticator } from './http/auth/bearer-oauth.js';
import { BrowserSessionAuthenticator } from './http/auth/browser-session.js';
import { AuthChain } from './http/auth/chain.js';
import { sessionCookieReader } from './http/auth/session-cookie-reader.js';
import { registerHealth } from './http/health.js';
import { registerLeakReports } from './http/leak-reports.js';
import { LapisMetrics } from './http/metrics.js';
import { oauthRoutes } from './http/oauth/plugin.js';
import { createServer } from './http/server.js';
import { uiPlugin } from './http/ui/index.js';
import { sessionCookieOptions } from './http/ui/session-cookie.js';
import { registerWebLinks } from './http/web-links.js';
import { BuildPageCache } from './services/build-page-cache.js';
import { FailureThrottle } from './services/failure-throttle.js';
import { MembershipCache } from './services/membership-cache.js';
import { OAuthTokenVerifier } from './services/oauth-token-verifier.js';
import { PatVerifier } from './services/pat-verifier.js';
import type { TokenRotationService } from './services/token-rotations.js';
import type { TokenUsageTrail } from './services/token-usage.js';
import { WebhookDispatcher } from './services/webhook-dispatcher.js';
import type { Store } from './storage/ports.js';

/** The HTTP app on top of the composition in compose.ts. */

/** Expiry notices are looked for every this many webhook ticks (a minute at the default 5 s). */
const expiryScanTicks = 12;

export interface AppOptions {
  config: Config;
  store: Store;
  clock?: Clock;
  logStream?: NodeJS.WritableStream;
}

export interface Lapis {
  app: FastifyInstance;
  services: Services;
  store: Store;
  access: AccessGate;
}

/** The usage trail is written on a timer, never by a request; closing the app writes what is left. */
function registerUsageFlush(app: FastifyInstance, usage: TokenUsageTrail, intervalMs: number): void {
  usage.onError((error) => app.log.warn({ err: error }, 'could not record token usage'));
  const timer = setInterval(() => void usage.flush(), intervalMs);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await usage.flush();
  });
}

/** Rotated tokens' grace windows are looked at this often: their end is recorded, stale replay copies dropped. */
const rotationSweepMs = 60_000;

/** Every instance sweeps; the store lets one of them record each ended grace window. */
function registerRotationSweep(app: FastifyInstance, rotations: TokenRotationService): void {
  const timer = setInterval(
    () => void rotations.sweep().catch((error: unknown) => app.log.warn({ err: error }, 'could not sweep token rotations')),
    rotationSweepMs,
  );
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}

/** Builds the HTTP app over an already migrated store. It does not listen; `main.ts` does. */
export async function buildApp(options: AppOptions): Promise<Lapis> {
  const { config, store } = options;
  const clock = options.clock ?? configuredClock(config);
  const services = buildServices(store, clock, config);
  const app = createServer({ config, ...(options.logStream && { logStream: options.logStream }) });
  await services.policies.refresh();
  services.audit.reportErrorsTo((error, context) => app.log.warn({ err: error }, context));
  services.audit.startPruning();
  // Registered first, so it runs last among close hooks: every event recorded while closing is written.
  app.addHook('onClose', () => services.audit.close());
  const membership = new MembershipCache(services.context, config.authCacheMs);
  const verifier = new PatVerifier(services.context, services.hasher, membership, {
    acceptLegacy: config.acceptLegacyPats,
    cacheMs: config.authCacheMs,
    rules: services.revocationRules,
    onBackgroundError: (error) => app.log.warn({ err: error }, 'could not record token use'),
  });
  const oauthVerifier = new OAuthTokenVerifier(services.context, services.accessTokens, membership, {
    cacheMs: config.authCacheMs,
  });
  // Keys rotated by another process (`lapis keys rotate`) are re-read at the next use, not after the interval.
  services.context.credentials.subscribe((change) => {
    if (change.topic === 'signing-keys' || change.topic === 'all') services.signingKeys.reloadSoon();
  });
  const pages: RenderedPages = new BuildPageCache(services.context, {
    cacheMs: config.authCacheMs,
    ...renderedPageBounds,
    sizeOf: renderedPageSize,
  });
  const metrics = new LapisMetrics({
    store,
    credentials: services.context.credentials,
    caches: {
      pat: () => verifier.cacheStats,
      oauth: () => oauthVerifier.cacheStats,
      membership: () => membership.cacheStats,
      buildPages: () => pages.stats,
    },
  });
  metrics.register(app, config);
  // An instance that answers before it listens could miss a revocation for a whole cache lifetime.
  await store.changes.listening();
  const failureWindowMs = config.authFailureWindowSeconds * 1000;
  const throttle = new FailureThrottle(
    clock,
    config.authFailureLimit,
    failureWindowMs,
    undefined,
    services.counters.failuresAs('token'),
    burstRecorder(services.audit, 'api'),
  );
  app.addHook('onClose', () => services.counters.close());
  // With IIS Basic Authentication on, Basic means a password and PATs over Basic stop working, as on the real server.
  const basic = config.iisBasicAuth
    ? new BasicPasswordAuthenticator(services.signIn, membership)
    : new BasicPatAuthenticator(verifier, throttle, services.policies);
  const bearer = new BearerOAuthAuthenticator(oauthVerifier, throttle, config.publicUrl);
  const sessionKey = loadSecret(config, 'session');
  const browserSession = new BrowserSessionAuthenticator(
    services.webSessions,
    membership,
    await sessionCookieReader(app, sessionCookieOptions(config, sessionKey)),
  );
  const access = new AccessGate(new AuthChain([basic, bearer, browserSession]), config, {
    steps: authorizationSteps,
    observer: metrics.observer,
    rateCounter: services.counters.rate,
    clock,
    observers: { clock, usage: services.tokenUsage },
  });
  registerUsageFlush(app, services.tokenUsage, config.usageFlushMs);
  registerRotationSweep(app, services.tokenRotations);
  registerHealth(app, store);
  registerWebLinks(app);
  registerLeakReports(app, { leaks: services.leaks, clock, reportsPerMinute: config.leakReportsPerMinute });
  const dispatcher = new WebhookDispatcher(services.webhooks, config.webhookIntervalMs, expiryScanTicks, (error) =>
    app.log.warn({ err: error }, 'webhook delivery failed'),
  );
  app.addHook('onReady', async () => dispatcher.start());
  app.addHook('onClose', async () => {
    await dispatcher.stop();
    await services.leaks.idle();
  });
  await app.register(uiPlugin, {
    config,
    sessionKey,
    clock,
    users: services.users,
    organizations: services.organizations,
    signIn: services.signIn,
    sessions: services.webSessions,
    oauth: services.oauth,
    oauthApps: services.oauthApps,
    oauthGrants: services.oauthGrants,
    tokens: services.tokens,
    tokenRotations: services.tokenRotations,
    webhooks: services.webhooks,
    leaks: services.leaks,
    usage: services.tokenUsage,
    audit: services.audit,
    policies: services.policies,
    organizationTokens: services.organizationTokens,
  });
  await app.register(oauthRoutes, {
    tokens: services.oauthTokens,
    signingKeys: services.signingKeys,
    publicUrl: config.publicUrl,
    clientThrottle: new FailureThrottle(
      clock,
      config.authFailureLimit,
      failureWindowMs,
      undefined,
      services.counters.failuresAs('oauth-client-address'),
      burstRecorder(services.audit, 'oauthClient'),
    ),
  });
  await registerApi(app, { services, access, config, pages });
  await app.ready();
  return { app, services, store, access };
}
