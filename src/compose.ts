import { existsSync } from 'node:fs';
import type { Config } from './config/schema.js';
import { resolveDataPath } from './config/schema.js';
import { loadSecret } from './config/secrets.js';
import { type Clock, offsetClock, systemClock } from './domain/clock.js';
import { AccessTokens } from './services/access-tokens.js';
import { AuditLog } from './services/audit.js';
import { BuildDefinitionService } from './services/build-definitions.js';
import { BuildFolderService } from './services/build-folders.js';
import { BuildTagService } from './services/build-tags.js';
import { BuildService } from './services/builds.js';
import { type ServiceContext, serviceContext } from './services/context.js';
import { DemoSeeder } from './services/demo-seed.js';
import { DeploymentService } from './services/deployment.js';
import { FailureThrottle } from './services/failure-throttle.js';
import { IdentityService } from './services/identities.js';
import { OAuthAppService } from './services/oauth-apps.js';
import { OAuthAuthorizationService } from './services/oauth-authorization.js';
import { OAuthGrantService } from './services/oauth-grants.js';
import { OAuthTokenService } from './services/oauth-tokens.js';
import { OperationService } from './services/operations.js';
import { OrganizationPolicyService } from './services/org-policies.js';
import { OrganizationService } from './services/organizations.js';
import { ProjectPropertyService } from './services/project-properties.js';
import { ProjectService } from './services/projects.js';
import { RetentionLeaseService } from './services/retention-leases.js';
import { SignInService } from './services/sign-in.js';
import { SigningKeys } from './services/signing-keys.js';
import { TeamService } from './services/teams.js';
import { TokenHasher } from './services/token-hasher.js';
import { TokenService } from './services/tokens.js';
import { UserService } from './services/users.js';
import { WebSessionService } from './services/web-sessions.js';
import { StorageUnavailableError, type Store } from './storage/ports.js';
import { openPostgresStore } from './storage/postgres/open.js';
import { SigningKeyFile } from './storage/signing-key-file.js';
import { openSqliteStore } from './storage/sqlite/open.js';

/**
 * Composition: the store and the services over it, without HTTP. With app.ts (the HTTP app on top) the only
 * files that pick concrete implementations; the CLI starts here and never loads the HTTP stack.
 */

type StoreTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; file: string };

function storeTarget(config: Pick<Config, 'databaseUrl' | 'dataDir'>): StoreTarget {
  const url = config.databaseUrl;
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  if (url.toLowerCase().startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return { kind: 'sqlite', file: file === ':memory:' ? file : resolveDataPath({ dataDir: '.' }, file) };
  }
  return { kind: 'sqlite', file: resolveDataPath(config, 'lapis.db') };
}

/** Opens the configured store, creating the SQLite file or PostgreSQL schema when missing (serve, migrate). */
export function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Store {
  const target = storeTarget(config);
  return target.kind === 'postgres' ? openPostgresStore({ url: target.url }) : openSqliteStore(target.file);
}

function noStoreAt(location: string): StorageUnavailableError {
  return new StorageUnavailableError(
    `no Lapis store at ${location}: run "lapis migrate" to create one, or point --data-dir / LAPIS_DATABASE_URL at an existing one`,
  );
}

/**
 * Opens a store that `migrate` or `serve` has prepared, and refuses anything else: a command run from the wrong
 * directory or with a mistyped schema must not answer from a new, empty store.
 */
export async function openExistingStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Store> {
  const target = storeTarget(config);
  if (target.kind === 'sqlite' && target.file !== ':memory:' && !existsSync(target.file)) {
    throw noStoreAt(`${target.file} (SQLite)`);
  }
  const store =
    target.kind === 'postgres' ? openPostgresStore({ url: target.url }) : openSqliteStore(target.file, { mustExist: true });
  try {
    if (!(await store.initialized()))
      throw noStoreAt(`${store.location} (${store.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'})`);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The clock every part uses: the system clock shifted by LAPIS_CLOCK_OFFSET. */
export function configuredClock(config: Config): Clock {
  return offsetClock(systemClock, config.clockOffset);
}

/** Sign-in failures allowed from one address, across all names, as a multiple of the per-name limit. */
const addressFailureFactor = 5;

export interface Services {
  context: ServiceContext;
  users: UserService;
  organizations: OrganizationService;
  projects: ProjectService;
  teams: TeamService;
  projectProperties: ProjectPropertyService;
  operations: OperationService;
  definitions: BuildDefinitionService;
  builds: BuildService;
  retentionLeases: RetentionLeaseService;
  folders: BuildFolderService;
  identities: IdentityService;
  buildTags: BuildTagService;
  deployment: DeploymentService;
  demo: DemoSeeder;
  tokens: TokenService;
  hasher: TokenHasher;
  signIn: SignInService;
  webSessions: WebSessionService;
  signingKeys: SigningKeys;
  accessTokens: AccessTokens;
  oauthApps: OAuthAppService;
  oauthGrants: OAuthGrantService;
  /** The authorize step: what the consent page calls. */
  oauth: OAuthAuthorizationService;
  oauthTokens: OAuthTokenService;
  audit: AuditLog;
  policies: OrganizationPolicyService;
}

/**
 * Records a throttle's key reaching its limit as a burst of authentication failures. Only for throttles keyed by
 * address or app id: a key holding a typed user name could hold a password typed in the wrong field.
 */
export function burstRecorder(audit: AuditLog, entry: 'api' | 'signIn' | 'oauthClient') {
  return (key: string, failures: number) =>
    audit.record({ action: 'auth.failureBurst', key, ipAddress: entry === 'oauthClient' ? null : key, failures, entry });
}

export function buildServices(store: Store, clock: Clock, config: Config): Services {
  const audit = new AuditLog(store, clock, { flushMs: config.auditFlushMs, retentionDays: config.auditRetentionDays });
  const context = serviceContext(store, clock, undefined, audit);
  const policies = new OrganizationPolicyService(context, { cacheMs: config.authCacheMs });
  const hasher = new TokenHasher(loadSecret(config, 'token'));
  const failureWindowMs = config.authFailureWindowSeconds * 1000;
  const signInThrottles = {
    perAddressAndUser: new FailureThrottle(clock, config.authFailureLimit, failureWindowMs),
    perAddress: new FailureThrottle(
      clock,
      config.authFailureLimit * addressFailureFactor,
      failureWindowMs,
      undefined,
      burstRecorder(audit, 'signIn'),
    ),
  };
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
    teams: new TeamService(context),
    projectProperties: new ProjectPropertyService(context),
    operations: new OperationService(context),
    definitions,
    builds,
    buildTags: new BuildTagService(context, builds, definitions),
    retentionLeases: new RetentionLeaseService(context),
    folders: new BuildFolderService(context),
    identities: new IdentityService(context),
    deployment: new DeploymentService(context),
    demo: new DemoSeeder(context),
    tokens: new TokenService(
      context,
      hasher,
      { maxLifetimeDays: config.patMaxLifetimeDays, defaultLifetimeDays: config.patDefaultLifetimeDays },
      policies,
    ),
    hasher,
    signIn: new SignInService(context, signInThrottles),
    webSessions: new WebSessionService(context, { maxAgeMs: config.sessionMaxAgeHours * 3_600_000 }),
    signingKeys,
    accessTokens,
    oauthApps,
    oauthGrants,
    oauth: new OAuthAuthorizationService(context, oauthApps, hasher, { codeLifetimeSeconds: config.oauthCodeLifetimeSeconds }),
    oauthTokens: new OAuthTokenService(context, oauthApps, oauthGrants, hasher, accessTokens, {
      refreshTokenLifetimeDays: config.oauthRefreshTokenLifetimeDays,
      refreshRetrySeconds: config.oauthRefreshRetrySeconds,
      clientThrottle: new FailureThrottle(
        clock,
        config.authFailureLimit,
        config.authFailureWindowSeconds * 1000,
        undefined,
        burstRecorder(audit, 'oauthClient'),
      ),
    }),
    audit,
    policies,
  };
}
