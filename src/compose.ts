import { existsSync } from 'node:fs';
import type { Config } from './config/schema.js';
import { ConfigError, resolveDataPath } from './config/schema.js';
import { describeKeyMismatch, loadSecret } from './config/secrets.js';
import { auditedToken } from './domain/audit.js';
import { type Clock, offsetClock, systemClock } from './domain/clock.js';
import { parseNoticeDays } from './domain/webhooks.js';
import { AccessTokens } from './services/access-tokens.js';
import { AuditLog } from './services/audit.js';
import { BuildDefinitionService } from './services/build-definitions.js';
import { BuildFolderService } from './services/build-folders.js';
import { BuildTagService } from './services/build-tags.js';
import { BuildService } from './services/builds.js';
import { type ServiceContext, serviceContext } from './services/context.js';
import { DemoSeeder } from './services/demo-seed.js';
import { DeploymentService } from './services/deployment.js';
import { FailureThrottle, type SharedCounting } from './services/failure-throttle.js';
import { IdentityService } from './services/identities.js';
import { reconcileKeyFingerprints, secretFingerprint, signingKeysFingerprint } from './services/key-fingerprints.js';
import { LeakReportService } from './services/leak-reports.js';
import { OAuthAppService } from './services/oauth-apps.js';
import { OAuthAuthorizationService } from './services/oauth-authorization.js';
import { OAuthGrantService } from './services/oauth-grants.js';
import { OAuthTokenService } from './services/oauth-tokens.js';
import { OperationService } from './services/operations.js';
import { OrganizationPolicyService } from './services/org-policies.js';
import { OrganizationTokenService } from './services/organization-tokens.js';
import { OrganizationService } from './services/organizations.js';
import { ProjectPropertyService } from './services/project-properties.js';
import { ProjectService } from './services/projects.js';
import { InProcessRateCounter, type RateCounter } from './services/rate-counter.js';
import { RetentionLeaseService } from './services/retention-leases.js';
import { RevocationRuleService } from './services/revocation-rules.js';
import { SecretBox } from './services/secret-box.js';
import { SignInService } from './services/sign-in.js';
import { SigningKeys } from './services/signing-keys.js';
import { StoredFailureCounter } from './services/stored-failure-counter.js';
import { TeamService } from './services/teams.js';
import { TokenHasher } from './services/token-hasher.js';
import { TokenRotationService } from './services/token-rotations.js';
import { CredentialSelfService } from './services/token-self.js';
import { type NewAddressEvent, TokenUsageTrail } from './services/token-usage.js';
import { TokenService } from './services/tokens.js';
import { UserService } from './services/users.js';
import { WebSessionService } from './services/web-sessions.js';
import { httpWebhookTransport } from './services/webhook-transport.js';
import { WebhookService } from './services/webhooks.js';
import { type SharedFailureCounter, StorageUnavailableError, type Store } from './storage/ports.js';
import { openPostgresStore } from './storage/postgres/open.js';
import { RedisFailureCounter } from './storage/redis/failure-counter.js';
import { closeRedis, openRedis } from './storage/redis/open.js';
import { RedisRateCounter } from './storage/redis/rate-counter.js';
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

/** A receiver that takes longer than this to answer counts as a failed attempt (retried later). */
const webhookTimeoutMs = 10_000;
/**
 * What instances count together: failed authentications (Redis when configured, else the PostgreSQL database; on
 * SQLite each process counts alone) and per-token request rates (Redis, else each process). Both share the one
 * Redis connection, closed once.
 */
export interface SharedCounters {
  failures: SharedFailureCounter | undefined;
  /** The shared failure counting of one throttle, under its own name. */
  failuresAs(name: string): SharedCounting | undefined;
  rate: RateCounter;
  close(): Promise<void>;
}

function sharedCounters(store: Store, clock: Clock, config: Config): SharedCounters {
  const redis = config.redisUrl ? openRedis(config.redisUrl) : undefined;
  let failures: SharedFailureCounter | undefined;
  if (redis) failures = new RedisFailureCounter(redis, clock);
  else if (store.kind === 'postgres') failures = new StoredFailureCounter(store.failureCounters, clock);
  return {
    failures,
    failuresAs: (name) => failures && { counter: failures, name },
    rate: redis ? new RedisRateCounter(redis, clock) : new InProcessRateCounter(clock),
    close: async () => {
      if (redis) await closeRedis(redis);
    },
  };
}

export interface Services {
  context: ServiceContext;
  counters: SharedCounters;
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
  /** An organization administrator's view of its members' tokens. */
  organizationTokens: OrganizationTokenService;
  /** Rotation with a grace window; app.ts sweeps ended windows on a timer. */
  tokenRotations: TokenRotationService;
  revocationRules: RevocationRuleService;
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
  webhooks: WebhookService;
  leaks: LeakReportService;
  /** The usage trail of personal access tokens, buffered in memory (app.ts flushes it). */
  tokenUsage: TokenUsageTrail;
  /** What `tokens/self` answers. */
  credentialSelf: CredentialSelfService;
  audit: AuditLog;
  policies: OrganizationPolicyService;
}

/** A first use from a new address goes to the audit log; the token is looked up for its name and organization. */
async function recordNewAddress(context: ServiceContext, use: NewAddressEvent): Promise<void> {
  const token = await context.store.tokens.findById(use.tokenId);
  if (!token) return;
  context.audit.record({
    action: 'token.newAddress',
    token: auditedToken(token),
    ipAddress: use.clientAddress,
    userAgent: use.userAgent,
  });
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
  const tokenSecret = loadSecret(config, 'token');
  const hasher = new TokenHasher(tokenSecret);
  const failureWindowMs = config.authFailureWindowSeconds * 1000;
  const counters = sharedCounters(store, clock, config);
  const throttle = (name: string, limit = config.authFailureLimit, onLimitReached?: (key: string, failures: number) => void) =>
    new FailureThrottle(clock, limit, failureWindowMs, undefined, counters.failuresAs(name), onLimitReached);
  const signInThrottles = {
    perAddressAndUser: throttle('sign-in-user'),
    perAddress: throttle('sign-in-address', config.authFailureLimit * addressFailureFactor, burstRecorder(audit, 'signIn')),
  };
  const keysFile = config.oauthKeysFile
    ? resolveDataPath({ dataDir: '.' }, config.oauthKeysFile)
    : resolveDataPath(config, 'oauth-keys.json');
  const signingKeys = new SigningKeys(new SigningKeyFile(keysFile), clock, 1000, () =>
    context.credentials.changed('signing-keys'),
  );
  const accessTokens = new AccessTokens(signingKeys, clock);
  const oauthApps = new OAuthAppService(context, hasher);
  const oauthGrants = new OAuthGrantService(context);
  const definitions = new BuildDefinitionService(context, { cacheMs: config.authCacheMs });
  const builds = new BuildService(context);
  const organizations = new OrganizationService(context, { cacheMs: config.authCacheMs });
  const revocationRules = new RevocationRuleService(context, config.authCacheMs);
  const tokens = new TokenService(
    context,
    hasher,
    { maxLifetimeDays: config.patMaxLifetimeDays, defaultLifetimeDays: config.patDefaultLifetimeDays },
    policies,
    revocationRules,
  );
  const webhooks = new WebhookService(
    context,
    new SecretBox(tokenSecret, 'webhook-secret'),
    httpWebhookTransport({ allowPrivateTargets: config.webhookAllowPrivateTargets, timeoutMs: webhookTimeoutMs }),
    parseNoticeDays(config.tokenExpiryNoticeDays),
  );
  tokens.onRevoked((token) => webhooks.tokenRevoked(token));
  const tokenRotations = new TokenRotationService(context, tokens, new SecretBox(tokenSecret, 'rotation-successor'), webhooks);
  const tokenUsage = new TokenUsageTrail(context, { trailSize: config.usageTrailSize });
  // A lost entry (the database away) must not end the process: the trail itself is stored by its own flush.
  tokenUsage.onNewAddress((use) => void recordNewAddress(context, use).catch(() => undefined));
  return {
    context,
    counters,
    users: new UserService(context, { cacheMs: config.authCacheMs }),
    organizations,
    projects: new ProjectService(context, { cacheMs: config.authCacheMs }),
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
    tokens,
    organizationTokens: new OrganizationTokenService(tokens, organizations, clock),
    tokenRotations,
    revocationRules,
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
      clientThrottle: throttle('oauth-app', config.authFailureLimit, burstRecorder(audit, 'oauthClient')),
    }),
    webhooks,
    leaks: new LeakReportService(context, hasher, tokens, webhooks),
    tokenUsage,
    credentialSelf: new CredentialSelfService(context, tokenUsage),
    audit,
    policies,
  };
}

/**
 * Refuses (ConfigError, one line) when this process's token key, session key or signing keys differ from those
 * recorded by the first instance that used the database; records them when none are. `serve` checks before listening,
 * every CLI command that opens the store checks before its work, so neither mints tokens nobody else can verify.
 */
export async function checkSharedKeys(config: Config, store: Store, services: Services, clock: Clock): Promise<void> {
  const presented = {
    token: secretFingerprint(loadSecret(config, 'token')),
    session: secretFingerprint(loadSecret(config, 'session')),
    signing: signingKeysFingerprint((await services.signingKeys.list()).map((key) => key.kid)),
  };
  const mismatches = await reconcileKeyFingerprints(store.keyFingerprints, presented, clock);
  if (mismatches.length > 0) {
    throw new ConfigError(
      describeKeyMismatch(
        config,
        mismatches.map((mismatch) => mismatch.purpose),
      ),
    );
  }
}
