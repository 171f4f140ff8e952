import type { AuditEntry, AuditQuery, EncodedAuditBatch } from '../domain/audit.js';
import type { BuildQuery } from '../domain/build-query.js';
import type { Build, BuildDefinition, BuildFolder, DefinitionQueryOrder, RetentionLease } from '../domain/builds.js';
import type {
  Operation,
  Organization,
  PersonalAccessToken,
  Project,
  ProjectProperty,
  ProjectState,
  ProjectVisibility,
  SourceControlType,
  Team,
  User,
} from '../domain/entities.js';
import type { OAuthApp, OAuthCode, OAuthGrant, OAuthRefreshToken } from '../domain/oauth.js';
import type { OrganizationPolicy } from '../domain/org-policies.js';
import type { RevocationRule } from '../domain/revocation-rules.js';
import type { SigningKeySet } from '../domain/signing-keys.js';
import type { TokenRestrictions } from '../domain/token-restrictions.js';
import type { TokenRotation } from '../domain/token-rotation.js';
import type { TokenUse } from '../domain/token-usage.js';
import type { WebSession } from '../domain/web-session.js';
import type { DeliveryStatus, Webhook, WebhookDelivery } from '../domain/webhooks.js';

/** Thrown by a repository when an insert or update would break a uniqueness rule. */
export class DuplicateKeyError extends Error {
  override name = 'DuplicateKeyError';
}

/** Thrown when the database cannot be reached, ended the connection, or stays locked: a retry later may succeed. */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
}

export interface UserRepository {
  insert(user: User): Promise<void>;
  findById(id: string): Promise<User | undefined>;
  findByUsername(username: string): Promise<User | undefined>;
  /** Case-insensitive; several users may share an address. */
  findByEmail(email: string): Promise<User[]>;
  list(): Promise<User[]>;
  setDisabledAt(id: string, disabledAt: string | null): Promise<void>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
}

export interface OrganizationMember {
  user: User;
  addedAt: string;
}

export interface OrganizationRepository {
  insert(organization: Organization): Promise<void>;
  findById(id: string): Promise<Organization | undefined>;
  findByName(name: string): Promise<Organization | undefined>;
  list(): Promise<Organization[]>;
  listForMember(userId: string): Promise<Organization[]>;
  addMember(organizationId: string, userId: string, addedAt: string): Promise<void>;
  /** Returns false when the user was not a member. */
  removeMember(organizationId: string, userId: string): Promise<boolean>;
  isMember(organizationId: string, userId: string): Promise<boolean>;
  listMembers(organizationId: string): Promise<OrganizationMember[]>;
  /** Every membership (in any organization) of the organization's members: whose tokens its rules may judge. */
  membershipsOfMembers(organizationId: string): Promise<{ userId: string; organizationId: string }[]>;
}

export interface ProjectListQuery {
  organizationId: string;
  /** `undefined` = every state. */
  states?: readonly ProjectState[];
  /** Rows to pass over first (the projects of earlier pages). */
  offset?: number;
  limit: number;
}

export interface ProjectChanges {
  name?: string;
  description?: string;
  visibility?: ProjectVisibility;
  state?: ProjectState;
  sourceControlType?: SourceControlType;
  processTemplateId?: string;
  revision: number;
  lastUpdateTime: string;
}

export interface ProjectRepository {
  insert(project: Project): Promise<void>;
  findById(organizationId: string, id: string): Promise<Project | undefined>;
  findByName(organizationId: string, name: string): Promise<Project | undefined>;
  /** Ordered by name, case-insensitively. */
  list(query: ProjectListQuery): Promise<Project[]>;
  update(organizationId: string, id: string, changes: ProjectChanges): Promise<void>;
  delete(organizationId: string, id: string): Promise<void>;
}

export interface TeamListQuery {
  organizationId: string;
  /** Undefined = every project of the organization. */
  projectId?: string;
  offset: number;
  limit: number;
}

export interface TeamRepository {
  insert(team: Team): Promise<void>;
  findById(organizationId: string, id: string): Promise<Team | undefined>;
  findByName(projectId: string, name: string): Promise<Team | undefined>;
  findDefault(projectId: string): Promise<Team | undefined>;
  /** Ordered by name, case-insensitively, then id. */
  list(query: TeamListQuery): Promise<Team[]>;
  update(id: string, changes: { name?: string; description?: string }): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface ProjectPropertyRepository {
  /** Ordered by name, case-insensitively. */
  list(projectId: string): Promise<ProjectProperty[]>;
  /** Inserts or replaces the value under the name (case-insensitive, case-preserving). */
  set(projectId: string, property: ProjectProperty): Promise<void>;
  /** Returns whether the property existed. */
  remove(projectId: string, name: string): Promise<boolean>;
}

export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  /** Sets the key only if it is absent; returns whether this call set it. */
  setIfAbsent(key: string, value: string): Promise<boolean>;
}

/** Fingerprints (never the keys) of the secrets every instance sharing the database must share. */
export interface KeyFingerprintRepository {
  find(purpose: string): Promise<string | undefined>;
  /** Records the fingerprint unless one is recorded for the purpose; returns whether this call recorded it. */
  recordIfAbsent(purpose: string, fingerprint: string, at: string): Promise<boolean>;
  /** Replaces the recorded fingerprint (after a deliberate key rotation). */
  replace(purpose: string, fingerprint: string, at: string): Promise<void>;
}

export interface TokenChanges {
  displayName?: string;
  scopes?: readonly string[];
  organizationId?: string | null;
  validTo?: string;
  restrictions?: TokenRestrictions;
}

export interface TokenRepository {
  insert(token: PersonalAccessToken): Promise<void>;
  findById(id: string): Promise<PersonalAccessToken | undefined>;
  findByHash(tokenHash: string): Promise<PersonalAccessToken | undefined>;
  /** The token and its owner in one round trip: what verification needs on every cache miss. */
  findByHashWithOwner(tokenHash: string): Promise<{ token: PersonalAccessToken; owner: User } | undefined>;
  /** Newest first. */
  listForUser(userId: string): Promise<PersonalAccessToken[]>;
  /**
   * The tokens of the organization's members that work in it (limited to it or to none), in one query whatever the
   * number of members; each owner's newest first.
   */
  listForMembersOf(organizationId: string): Promise<PersonalAccessToken[]>;
  update(id: string, changes: TokenChanges): Promise<void>;
  /** Sets revoked_at if not yet revoked; returns whether this call revoked it. */
  revoke(id: string, revokedAt: string): Promise<boolean>;
  setLastUsed(id: string, lastUsedAt: string): Promise<void>;
}

/** Rotations of personal access tokens (domain/token-rotation.ts): one row per rotated token. */
export interface TokenRotationRepository {
  /** DuplicateKeyError when the token was rotated already or the user's Idempotency-Key is taken. */
  insert(rotation: TokenRotation): Promise<void>;
  findByToken(tokenId: string): Promise<TokenRotation | undefined>;
  /** The rotations of these tokens whose end is not yet recorded (in grace, or ended since the last sweep). */
  listUnendedOf(tokenIds: readonly string[]): Promise<TokenRotation[]>;
  findByIdempotencyKey(userId: string, keyHash: string): Promise<TokenRotation | undefined>;
  /** Forgets sealed successors and Idempotency-Keys whose replay window ended at or before `now`. */
  forgetReplays(now: string): Promise<number>;
  /** Rotations whose grace ended at or before `now` and whose end is not yet recorded, oldest first. */
  listEnded(now: string, limit: number): Promise<TokenRotation[]>;
  /** Records the end once; false when another instance recorded it first. */
  markEnded(tokenId: string, endedAt: string): Promise<boolean>;
}

/** The usage trail of personal access tokens (domain/token-usage.ts): one row per token and client address. */
export interface TokenUsageRepository {
  /** Every stored use of these tokens, in no particular order. */
  listFor(tokenIds: readonly string[]): Promise<TokenUse[]>;
  /** Inserts or replaces the rows of these (token, address) pairs. */
  save(uses: readonly TokenUse[]): Promise<void>;
  /** Deletes these (token, address) rows: the ones that fell off a trail. */
  remove(uses: readonly Pick<TokenUse, 'tokenId' | 'clientAddress'>[]): Promise<void>;
}

export interface RevocationRuleRepository {
  insert(rule: RevocationRule): Promise<void>;
  /** Every organization's rules, oldest first: few, and read whole by every verifier. */
  listAll(): Promise<RevocationRule[]>;
}

export interface OAuthAppRepository {
  insert(app: OAuthApp): Promise<void>;
  findById(id: string): Promise<OAuthApp | undefined>;
  /** Oldest first; every app, or those of one owner. */
  list(ownerId?: string): Promise<OAuthApp[]>;
  setSecretHash(id: string, secretHash: string, secretCreatedAt: string): Promise<void>;
  setCallbacksAndScopes(id: string, callbackUrls: readonly string[], scopes: readonly string[]): Promise<void>;
  /** Deletes the app with its grants, codes and refresh tokens; returns whether it existed. */
  delete(id: string): Promise<boolean>;
}

/** Grants and the credentials issued from them: authorization codes and refresh tokens. */
export interface OAuthGrantRepository {
  insert(grant: OAuthGrant): Promise<void>;
  findById(id: string): Promise<OAuthGrant | undefined>;
  /** Newest first. */
  listForUser(userId: string): Promise<OAuthGrant[]>;
  /** The app's grants not yet revoked. */
  listActiveForApp(appId: string): Promise<OAuthGrant[]>;
  /** Sets revoked_at if not yet revoked; returns whether this call revoked it. */
  revoke(id: string, revokedAt: string): Promise<boolean>;
  insertCode(code: OAuthCode): Promise<void>;
  findCode(codeHash: string): Promise<OAuthCode | undefined>;
  /** Marks the code used if it is not yet; returns whether this call did (false: it was used before). */
  useCode(codeHash: string, usedAt: string): Promise<boolean>;
  deleteCodesExpiredBefore(time: string): Promise<void>;
  insertRefreshToken(token: OAuthRefreshToken): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<OAuthRefreshToken | undefined>;
  /** Marks the token used if it is not yet; returns whether this call did (false: it was used before). */
  useRefreshToken(tokenHash: string, usedAt: string): Promise<boolean>;
}

export interface CounterRepository {
  /** Atomically increments the named counter (created at 1) and returns the new value. */
  next(scope: string, name: string): Promise<number>;
}

/**
 * Failure counts every instance shares (PostgreSQL or Redis), for the failure throttles. The shape a per-token
 * rate counter needs too: both count events per key in fixed windows.
 */
export interface SharedFailureCounter {
  /** Adds one failure to the key's window and returns the window's count and start (ms since the epoch). */
  increment(key: string, windowMs: number): Promise<{ failures: number; startedAt: number }>;
  /** The key's current window without counting anything; undefined when it has none (or it has ended). */
  peek(key: string, windowMs: number): Promise<{ failures: number; startedAt: number } | undefined>;
  reset(key: string): Promise<void>;
}

/** A failure window as the shared counter holds it. */
export interface FailureWindow {
  failures: number;
  /** ISO-8601 UTC. */
  startedAt: string;
}

/** Failed-authentication counters shared by every instance on the database (fixed windows per key). */
export interface FailureCounterRepository {
  /** Adds one failure to the key's window, starting a new window when the current one began at or before `cutoff`. */
  increment(key: string, now: string, cutoff: string): Promise<FailureWindow>;
  /** The key's window if it began after `cutoff`. */
  find(key: string, cutoff: string): Promise<FailureWindow | undefined>;
  reset(key: string): Promise<void>;
  /** Forgets every window that began at or before `cutoff`. */
  purge(cutoff: string): Promise<void>;
}

export interface OperationRepository {
  insert(operation: Operation): Promise<void>;
  find(organizationId: string, id: string): Promise<Operation | undefined>;
}

export interface DefinitionListQuery {
  organizationId: string;
  projectId: string;
  /** Lower-cased name pattern where `*` matches any run of characters. */
  namePattern?: string;
  ids?: readonly number[];
  /** Lower-cased folder, `\`-separated. */
  path?: string;
  /** Lower-cased repository id and type (`tfsgit`...). */
  repositoryId?: string;
  repositoryType?: string;
  /** Definitions with a build queued after this time / with none queued after it. */
  builtAfter?: string;
  notBuiltAfter?: string;
  order: DefinitionQueryOrder;
  /** Keyset cursor: the ordering key (lower-cased name, modified date, or empty for id order) and id of the first row to return. */
  from?: { key: string; id: number };
  limit: number;
}

export interface BuildDefinitionRepository {
  insert(definition: BuildDefinition): Promise<void>;
  /** Replaces the row only if its revision is still `expectedRevision`; returns whether it did. */
  update(definition: BuildDefinition, expectedRevision: number): Promise<boolean>;
  /** Deleted definitions included; `projectId` undefined = any project of the organization. */
  find(organizationId: string, id: number, projectId?: string): Promise<BuildDefinition | undefined>;
  findRevision(organizationId: string, id: number, revision: number): Promise<BuildDefinition | undefined>;
  findByIds(organizationId: string, ids: readonly number[]): Promise<BuildDefinition[]>;
  /** A live definition with this name in this folder, case-insensitively. */
  findByName(organizationId: string, projectId: string, path: string, name: string): Promise<BuildDefinition | undefined>;
  /** Live definitions only. */
  list(query: DefinitionListQuery): Promise<BuildDefinition[]>;
  /** Every stored revision, oldest first. */
  listRevisions(organizationId: string, id: number): Promise<BuildDefinition[]>;
}

export interface BuildListFilter {
  organizationId: string;
  /** Undefined = every project of the organization. */
  projectId?: string;
  /** Resolved from `requestedFor` (the users it names). */
  requestedForIds?: readonly string[];
  /** Builds of the definitions with this repository (lower-cased id and type) or these queue ids. */
  pipelines?: { repositoryId?: string; repositoryType?: string; queueIds?: readonly string[] };
  /** At most this many builds of each definition, the first ones in the query's order. */
  maxPerDefinition?: number;
  query: BuildQuery;
  /** Rows to return, usually `top + 1` so the caller learns whether there is a next page. */
  limit: number;
}

export interface BuildRepository {
  /** Stores the build with its tags. */
  insert(build: Build): Promise<void>;
  /** Every field but the tags, which change through `BuildTagRepository`. */
  update(build: Build): Promise<void>;
  find(organizationId: string, id: number): Promise<Build | undefined>;
  /** In the query's order, ties broken by id in the same direction, starting at its cursor. */
  list(filter: BuildListFilter): Promise<Build[]>;
}

export interface RetentionLeaseFilter {
  organizationId: string;
  projectId: string;
  ids?: readonly number[];
  runId?: number;
  definitionId?: number;
  ownerId?: string;
}

export interface RetentionLeaseRepository {
  insert(lease: RetentionLease): Promise<void>;
  update(lease: RetentionLease): Promise<void>;
  /** Ordered by id. */
  list(filter: RetentionLeaseFilter): Promise<RetentionLease[]>;
  delete(organizationId: string, projectId: string, ids: readonly number[]): Promise<void>;
  /** Whether a lease valid at `now` holds the build. */
  holds(organizationId: string, runId: number, now: string): Promise<boolean>;
}

export interface BuildFolderRepository {
  /** Inserts the folder unless one with the same path (case-insensitively) exists; returns whether it did. */
  insert(folder: BuildFolder): Promise<boolean>;
  update(folder: BuildFolder, oldPath: string): Promise<void>;
  find(organizationId: string, projectId: string, path: string): Promise<BuildFolder | undefined>;
  /** The folder at `path` and every folder below it. */
  listUnder(organizationId: string, projectId: string, path: string): Promise<BuildFolder[]>;
  deleteUnder(organizationId: string, projectId: string, path: string): Promise<void>;
}

export interface WebSessionRepository {
  insert(session: WebSession): Promise<void>;
  findById(id: string): Promise<WebSession | undefined>;
  /** Sessions not expired at `activeAt`, newest first. */
  listForUser(userId: string, activeAt: string): Promise<WebSession[]>;
  touch(id: string, lastSeenAt: string): Promise<void>;
  /** Returns whether the session existed. */
  delete(id: string): Promise<boolean>;
  /** Ends every session of the user, except `keepId` when given; returns how many ended. */
  deleteForUser(userId: string, keepId?: string): Promise<number>;
  deleteExpiredBefore(time: string): Promise<void>;
}

/** Build tags, compared case-insensitively; every list comes sorted that way. */
export interface BuildTagRepository {
  /** Adds the tags the build lacks; a tag it has in another case is kept as it is. */
  add(organizationId: string, buildId: number, tags: readonly string[]): Promise<void>;
  remove(organizationId: string, buildId: number, tags: readonly string[]): Promise<void>;
  ofBuild(organizationId: string, buildId: number): Promise<string[]>;
  /** Every tag some build of the project carries, once. */
  inProject(organizationId: string, projectId: string): Promise<string[]>;
  removeFromProject(organizationId: string, projectId: string, tag: string): Promise<void>;
}

/** A webhook as stored: its signing secret sealed, never in clear. */
export interface StoredWebhook extends Webhook {
  secretSealed: string;
}

export interface WebhookRepository {
  insert(webhook: StoredWebhook): Promise<void>;
  /** Oldest first. */
  listForOrganization(organizationId: string): Promise<StoredWebhook[]>;
  findById(id: string): Promise<StoredWebhook | undefined>;
  /** Returns whether the organization had that webhook. */
  delete(organizationId: string, id: string): Promise<boolean>;
}

export interface DeliveryOutcome {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}

export interface WebhookDeliveryRepository {
  insert(delivery: WebhookDelivery): Promise<void>;
  /**
   * Pending deliveries due at `now` that no instance holds, each marked as held until `claimUntil`; a delivery is
   * returned to one caller only, across instances.
   */
  claimDue(now: string, claimUntil: string, limit: number): Promise<WebhookDelivery[]>;
  finish(id: string, outcome: DeliveryOutcome): Promise<void>;
  /** The organization's newest deliveries first. */
  listForOrganization(organizationId: string, limit: number): Promise<WebhookDelivery[]>;
}

export interface ExpiryNoticeRepository {
  /** Tokens neither revoked nor rotated whose end of validity lies in (after, until]. */
  tokensExpiringBetween(after: string, until: string): Promise<PersonalAccessToken[]>;
  /** Returns false when that notice was already recorded (by this or another instance). */
  recordIfAbsent(tokenId: string, days: number, sentAt: string): Promise<boolean>;
}

export interface LeakSettingsRepository {
  /** undefined when the organization never chose (leaked tokens are then revoked). */
  autoRevoke(organizationId: string): Promise<boolean | undefined>;
  setAutoRevoke(organizationId: string, autoRevoke: boolean): Promise<void>;
}

/**
 * What changed, as every instance must hear it: a cache holding anything of that kind drops it. A new kind of
 * change is one more name here and one `context.credentials.changed('<topic>')` call where it happens.
 */
export const changeTopics = [
  'tokens',
  'oauth-grants',
  'memberships',
  'users',
  'policies',
  'revocation-rules',
  'signing-keys',
  'definitions',
  'builds',
] as const;
export type ChangeTopic = (typeof changeTopics)[number];

/** A change heard from another process; `all` when the feed cannot tell what changed (a gap, a SQLite write). */
export interface Change {
  topic: ChangeTopic | 'all';
  payload: string;
  /** When it was published (ms since the epoch, the publisher's clock), for the notification lag; absent for `all`. */
  sentAt?: number;
}

export interface ChangePublisher {
  /** Inside `Store.transaction` the notice is delivered with the commit, and not at all on rollback. */
  publish(topic: ChangeTopic, payload?: string): Promise<void>;
}

/**
 * Cross-process change notices (PostgreSQL LISTEN/NOTIFY, or SQLite's data_version polled). Listening starts with
 * the first subscriber and ends with `Store.close`; a process that only publishes (the CLI) never listens.
 */
export interface ChangeFeed extends ChangePublisher {
  subscribe(listener: (change: Change) => void): () => void;
  /** Resolves once the first attempt to listen has ended (listening, or retrying in the background). */
  listening(): Promise<void>;
}

/** Connections of a pool, for metrics; a single SQLite connection reports none. */
export interface PoolUse {
  total: number;
  idle: number;
  waiting: number;
}

export interface AuditRepository {
  /** Writes the batch whole or not at all. */
  insertBatch(batch: EncodedAuditBatch): Promise<void>;
  /** Newest first, at most `limit` entries. */
  page(query: AuditQuery, limit: number): Promise<AuditEntry[]>;
  /** Removes entries older than `timestamp`; returns how many. */
  deleteBefore(timestamp: string): Promise<number>;
}

export interface OrganizationPolicyRepository {
  listAll(): Promise<OrganizationPolicy[]>;
  /** Inserts or replaces the organization's setting of that policy. */
  save(policy: OrganizationPolicy): Promise<void>;
}

export interface Repositories {
  changes: ChangePublisher;
  users: UserRepository;
  organizations: OrganizationRepository;
  projects: ProjectRepository;
  meta: MetaRepository;
  keyFingerprints: KeyFingerprintRepository;
  tokens: TokenRepository;
  tokenUsage: TokenUsageRepository;
  tokenRotations: TokenRotationRepository;
  revocationRules: RevocationRuleRepository;
  oauthApps: OAuthAppRepository;
  oauthGrants: OAuthGrantRepository;
  counters: CounterRepository;
  failureCounters: FailureCounterRepository;
  operations: OperationRepository;
  definitions: BuildDefinitionRepository;
  builds: BuildRepository;
  retentionLeases: RetentionLeaseRepository;
  folders: BuildFolderRepository;
  webSessions: WebSessionRepository;
  teams: TeamRepository;
  projectProperties: ProjectPropertyRepository;
  buildTags: BuildTagRepository;
  webhooks: WebhookRepository;
  webhookDeliveries: WebhookDeliveryRepository;
  expiryNotices: ExpiryNoticeRepository;
  leakSettings: LeakSettingsRepository;
  audit: AuditRepository;
  organizationPolicies: OrganizationPolicyRepository;
}

export interface Store extends Repositories {
  readonly kind: 'sqlite' | 'postgres';
  readonly changes: ChangeFeed;
  poolUse(): PoolUse | undefined;
  /** Human-readable location for logs (never includes a password). */
  readonly location: string;
  migrate(): Promise<{ applied: string[] }>;
  /** False for a database file or schema that `migrate` has never prepared (nothing of Lapis there). */
  initialized(): Promise<boolean>;
  /**
   * Runs `work` in one transaction; the repositories it receives are bound to it. On SQLite it takes the write
   * lock before the first statement (BEGIN IMMEDIATE), so use it for work that writes.
   */
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where the access-token signing keys live (a file in the data directory, not the database: a copy of
 * the database must not be enough to mint tokens).
 */
export interface SigningKeyRepository {
  /** Changes whenever the stored set changes; undefined while none exists. Cheap enough to call often. */
  version(): Promise<string | undefined>;
  read(): Promise<SigningKeySet | undefined>;
  /** Stores the first set; returns false when another process created one first. */
  create(set: SigningKeySet): Promise<boolean>;
  /** Replaces the set atomically: a reader sees the old or the new set, never a mix. */
  replace(set: SigningKeySet): Promise<void>;
}

/** One request counted against a limit: how many the window has seen (this one included) and when it ends. */
export interface RateHit {
  count: number;
  remaining: number;
  /** Epoch milliseconds at which the window starts afresh. */
  resetAt: number;
}

/**
 * Counts requests per key in fixed windows. Implementations share the count across instances (Redis) or keep it in
 * the process; both answer the same way, so the caller never knows which it has.
 */
export interface RateCounter {
  /** A counter held in this process answers at once; a shared one answers when its store has counted. */
  /** `nowMs`: the request's clock reading, when the caller already took one. */
  hit(key: string, limit: number, windowMs: number, nowMs?: number): RateHit | Promise<RateHit>;
}
