import type { FastifyInstance } from 'fastify';
import { buildServices, configuredClock, type Services } from './compose.js';
import type { Config } from './config/schema.js';
import { loadSecret } from './config/secrets.js';
import type { Clock } from './domain/clock.js';
import { registerApi } from './http/api/router.js';
import { AccessGate } from './http/auth/access-gate.js';
import { BasicPasswordAuthenticator } from './http/auth/basic-password.js';
import { BasicPatAuthenticator } from './http/auth/basic-pat.js';
import { BearerOAuthAuthenticator } from './http/auth/bearer-oauth.js';
import { AuthChain } from './http/auth/chain.js';
import { registerHealth } from './http/health.js';
import { oauthRoutes } from './http/oauth/plugin.js';
import { createServer } from './http/server.js';
import { uiPlugin } from './http/ui/index.js';
import { registerWebLinks } from './http/web-links.js';
import { FailureThrottle } from './services/failure-throttle.js';
import { MembershipCache } from './services/membership-cache.js';
import { OAuthTokenVerifier } from './services/oauth-token-verifier.js';
import { OrganizationTokenService } from './services/organization-tokens.js';
import { PatVerifier } from './services/pat-verifier.js';
import type { Store } from './storage/ports.js';

/** The HTTP app on top of the composition in compose.ts. */

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

/** Builds the HTTP app over an already migrated store. It does not listen; `main.ts` does. */
export async function buildApp(options: AppOptions): Promise<Lapis> {
  const { config, store } = options;
  const clock = options.clock ?? configuredClock(config);
  const services = buildServices(store, clock, config);
  const app = createServer({ config, ...(options.logStream && { logStream: options.logStream }) });
  const membership = new MembershipCache(services.context, config.authCacheMs);
  const verifier = new PatVerifier(services.context, services.hasher, membership, {
    acceptLegacy: config.acceptLegacyPats,
    cacheMs: config.authCacheMs,
    onBackgroundError: (error) => app.log.warn({ err: error }, 'could not record token use'),
  });
  const throttle = new FailureThrottle(clock, config.authFailureLimit, config.authFailureWindowSeconds * 1000);
  // With IIS Basic Authentication on, Basic means a password and PATs over Basic stop working, as on the real server.
  const basic = config.iisBasicAuth
    ? new BasicPasswordAuthenticator(services.signIn, membership)
    : new BasicPatAuthenticator(verifier, throttle);
  const bearer = new BearerOAuthAuthenticator(
    new OAuthTokenVerifier(services.context, services.accessTokens, membership, { cacheMs: config.authCacheMs }),
    throttle,
    config.publicUrl,
  );
  const access = new AccessGate(new AuthChain([basic, bearer]), config);
  registerHealth(app, store);
  registerWebLinks(app);
  await app.register(uiPlugin, {
    config,
    sessionKey: loadSecret(config, 'session'),
    clock,
    users: services.users,
    organizations: services.organizations,
    signIn: services.signIn,
    sessions: services.webSessions,
    oauth: services.oauth,
    oauthApps: services.oauthApps,
    oauthGrants: services.oauthGrants,
    tokens: services.tokens,
    organizationTokens: new OrganizationTokenService(services.tokens, services.organizations),
  });
  await app.register(oauthRoutes, {
    tokens: services.oauthTokens,
    signingKeys: services.signingKeys,
    publicUrl: config.publicUrl,
    clientThrottle: new FailureThrottle(clock, config.authFailureLimit, config.authFailureWindowSeconds * 1000),
  });
  await registerApi(app, { services, access, config });
  await app.ready();
  return { app, services, store, access };
}
