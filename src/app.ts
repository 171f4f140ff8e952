import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.js';
import { resolveDataPath } from './config/schema.js';
import { loadSecret } from './config/secrets.js';
import { type Clock, offsetClock, systemClock } from './domain/clock.js';
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
import { AccessTokens } from './services/access-tokens.js';
import { BuildDefinitionService } from './services/build-definitions.js';
import { BuildTagService } from './services/build-tags.js';
import { BuildService } from './services/builds.js';
import { type ServiceContext, serviceContext } from './services/context.js';
import { DemoSeeder } from './services/demo-seed.js';
import { DeploymentService } from './services/deployment.js';
import { FailureThrottle } from './services/failure-throttle.js';
import { MembershipCache } from './services/membership-cache.js';
import { OAuthAppService } from './services/oauth-apps.js';
import { OAuthAuthorizationService } from './services/oauth-authorization.js';
import { OAuthGrantService } from './services/oauth-grants.js';
import { OAuthTokenVerifier } from './services/oauth-token-verifier.js';
import { OAuthTokenService } from './services/oauth-tokens.js';
import { OperationService } from './services/operations.js';
import { OrganizationService } from './services/organizations.js';
import { PatVerifier } from './services/pat-verifier.js';
import { ProjectService } from './services/projects.js';
import { SignInService } from './services/sign-in.js';
import { SigningKeys } from './services/signing-keys.js';
import { TokenHasher } from './services/token-hasher.js';
import { TokenService } from './services/tokens.js';
import { UserService } from './services/users.js';
import type { Store } from './storage/ports.js';
import { openPostgresStore } from './storage/postgres/open.js';
import { SigningKeyFile } from './storage/signing-key-file.js';
import { openSqliteStore } from './storage/sqlite/open.js';

/** The composition root: the only file that picks concrete implementations. */

export function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Store {
  const url = config.databaseUrl;
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgresStore({ url });
  if (url.toLowerCase().startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return openSqliteStore(file === ':memory:' ? file : resolveDataPath({ dataDir: '.' }, file));
  }
  return openSqliteStore(resolveDataPath(config, 'lapis.db'));
}

/** The clock every part uses: the system clock shifted by LAPIS_CLOCK_OFFSET. */
export function configuredClock(config: Config): Clock {
  return offsetClock(systemClock, config.clockOffset);
}

export interface Services {
  context: ServiceContext;
  users: UserService;
  organizations: OrganizationService;
  projects: ProjectService;
  operations: OperationService;
  definitions: BuildDefinitionService;
  builds: BuildService;
  buildTags: BuildTagService;
  deployment: DeploymentService;
  demo: DemoSeeder;
  tokens: TokenService;
  hasher: TokenHasher;
  signIn: SignInService;
  signingKeys: SigningKeys;
  accessTokens: AccessTokens;
  oauthApps: OAuthAppService;
  oauthGrants: OAuthGrantService;
  /** The authorize step: what the consent page calls. */
  oauth: OAuthAuthorizationService;
  oauthTokens: OAuthTokenService;
}

export function buildServices(store: Store, clock: Clock, config: Config): Services {
  const context = serviceContext(store, clock);
  const hasher = new TokenHasher(loadSecret(config, 'token'));
  const signInThrottle = new FailureThrottle(clock, config.authFailureLimit, config.authFailureWindowSeconds * 1000);
  const keysFile = config.oauthKeysFile
    ? resolveDataPath({ dataDir: '.' }, config.oauthKeysFile)
    : resolveDataPath(config, 'oauth-keys.json');
  const signingKeys = new SigningKeys(new SigningKeyFile(keysFile), clock);
  const accessTokens = new AccessTokens(signingKeys, clock);
  const oauthApps = new OAuthAppService(context, hasher);
  const oauthGrants = new OAuthGrantService(context);
  const definitions = new BuildDefinitionService(context);
  const builds = new BuildService(context);
  return {
    context,
    users: new UserService(context),
    organizations: new OrganizationService(context),
    projects: new ProjectService(context),
    operations: new OperationService(context),
    definitions,
    builds,
    buildTags: new BuildTagService(context, builds, definitions),
    deployment: new DeploymentService(context),
    demo: new DemoSeeder(context),
    tokens: new TokenService(context, hasher, {
      maxLifetimeDays: config.patMaxLifetimeDays,
      defaultLifetimeDays: config.patDefaultLifetimeDays,
    }),
    hasher,
    signIn: new SignInService(context, signInThrottle),
    signingKeys,
    accessTokens,
    oauthApps,
    oauthGrants,
    oauth: new OAuthAuthorizationService(context, oauthApps, hasher, { codeLifetimeSeconds: config.oauthCodeLifetimeSeconds }),
    oauthTokens: new OAuthTokenService(context, oauthApps, oauthGrants, hasher, accessTokens, {
      refreshTokenLifetimeDays: config.oauthRefreshTokenLifetimeDays,
      refreshRetrySeconds: config.oauthRefreshRetrySeconds,
      clientThrottle: new FailureThrottle(clock, config.authFailureLimit, config.authFailureWindowSeconds * 1000),
    }),
  };
}

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
  await app.register(uiPlugin, {
    config,
    sessionKey: loadSecret(config, 'session'),
    clock,
    users: services.users,
    organizations: services.organizations,
    signIn: services.signIn,
    oauth: services.oauth,
    oauthApps: services.oauthApps,
    oauthGrants: services.oauthGrants,
    tokens: services.tokens,
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
