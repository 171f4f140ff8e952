import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.js';
import { resolveDataPath } from './config/schema.js';
import { loadSecret } from './config/secrets.js';
import { type Clock, offsetClock, systemClock } from './domain/clock.js';
import { BasicPasswordAuthenticator } from './http/auth/basic-password.js';
import { BasicPatAuthenticator } from './http/auth/basic-pat.js';
import { AuthChain } from './http/auth/chain.js';
import { registerHealth } from './http/health.js';
import { createServer } from './http/server.js';
import { uiPlugin } from './http/ui/index.js';
import { type ServiceContext, serviceContext } from './services/context.js';
import { FailureThrottle } from './services/failure-throttle.js';
import { OrganizationService } from './services/organizations.js';
import { PatVerifier } from './services/pat-verifier.js';
import { ProjectService } from './services/projects.js';
import { SignInService } from './services/sign-in.js';
import { TokenHasher } from './services/token-hasher.js';
import { TokenService } from './services/tokens.js';
import { UserService } from './services/users.js';
import type { Store } from './storage/ports.js';
import { openPostgresStore } from './storage/postgres/open.js';
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
  tokens: TokenService;
  hasher: TokenHasher;
  signIn: SignInService;
}

export function buildServices(store: Store, clock: Clock, config: Config): Services {
  const context = serviceContext(store, clock);
  const hasher = new TokenHasher(loadSecret(config, 'token'));
  const signInThrottle = new FailureThrottle(clock, config.authFailureLimit, config.authFailureWindowSeconds * 1000);
  return {
    context,
    users: new UserService(context),
    organizations: new OrganizationService(context),
    projects: new ProjectService(context),
    tokens: new TokenService(context, hasher, {
      maxLifetimeDays: config.patMaxLifetimeDays,
      defaultLifetimeDays: config.patDefaultLifetimeDays,
    }),
    hasher,
    signIn: new SignInService(context, signInThrottle),
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
  authChain: AuthChain;
}

/** Builds the HTTP app over an already migrated store. It does not listen; `main.ts` does. */
export async function buildApp(options: AppOptions): Promise<Lapis> {
  const { config, store } = options;
  const clock = options.clock ?? configuredClock(config);
  const services = buildServices(store, clock, config);
  const app = createServer({ config, ...(options.logStream && { logStream: options.logStream }) });
  const verifier = new PatVerifier(services.context, services.hasher, {
    acceptLegacy: config.acceptLegacyPats,
    cacheMs: config.authCacheMs,
    onBackgroundError: (error) => app.log.warn({ err: error }, 'could not record token use'),
  });
  const throttle = new FailureThrottle(clock, config.authFailureLimit, config.authFailureWindowSeconds * 1000);
  // With IIS Basic Authentication on, Basic means a password and PATs over Basic stop working, as on the real server.
  const basic = config.iisBasicAuth
    ? new BasicPasswordAuthenticator(services.signIn)
    : new BasicPatAuthenticator(verifier, throttle);
  const authChain = new AuthChain([basic]);
  registerHealth(app, store);
  await app.register(uiPlugin, {
    config,
    sessionKey: loadSecret(config, 'session'),
    clock,
    users: services.users,
    organizations: services.organizations,
    signIn: services.signIn,
    tokens: services.tokens,
  });
  await app.ready();
  return { app, services, store, authChain };
}
