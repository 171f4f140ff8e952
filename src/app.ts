import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.js';
import { resolveDataPath } from './config/schema.js';
import { loadSecret } from './config/secrets.js';
import { type Clock, systemClock } from './domain/clock.js';
import { registerHealth } from './http/health.js';
import { createServer } from './http/server.js';
import { uiPlugin } from './http/ui/index.js';
import { serviceContext } from './services/context.js';
import { FailureThrottle } from './services/failure-throttle.js';
import { OrganizationService } from './services/organizations.js';
import { ProjectService } from './services/projects.js';
import { SignInService } from './services/sign-in.js';
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

export interface Services {
  users: UserService;
  organizations: OrganizationService;
  projects: ProjectService;
  signIn: SignInService;
}

export type ServiceSettings = Pick<Config, 'authFailureLimit' | 'authFailureWindowSeconds'>;

export function buildServices(store: Store, clock: Clock, settings: ServiceSettings): Services {
  const context = serviceContext(store, clock);
  const signInThrottle = new FailureThrottle(clock, settings.authFailureLimit, settings.authFailureWindowSeconds * 1000);
  return {
    users: new UserService(context),
    organizations: new OrganizationService(context),
    projects: new ProjectService(context),
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
}

/** Builds the HTTP app over an already migrated store. It does not listen; `main.ts` does. */
export async function buildApp(options: AppOptions): Promise<Lapis> {
  const clock = options.clock ?? systemClock;
  const services = buildServices(options.store, clock, options.config);
  const app = createServer({ config: options.config, ...(options.logStream && { logStream: options.logStream }) });
  registerHealth(app, options.store);
  await app.register(uiPlugin, {
    config: options.config,
    sessionKey: loadSecret(options.config, 'session'),
    clock,
    users: services.users,
    organizations: services.organizations,
    signIn: services.signIn,
  });
  await app.ready();
  return { app, services, store: options.store };
}
