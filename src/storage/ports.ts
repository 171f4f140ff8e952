import type { Organization, PersonalAccessToken, Project, ProjectState, ProjectVisibility, User } from '../domain/entities.js';
import type { OAuthApp, OAuthCode, OAuthGrant, OAuthRefreshToken } from '../domain/oauth.js';
import type { SigningKeySet } from '../domain/signing-keys.js';

/** Thrown by a repository when an insert or update would break a uniqueness rule. */
export class DuplicateKeyError extends Error {
  override name = 'DuplicateKeyError';
}

/** Thrown when the database cannot be reached or refuses the connection. */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
}

export interface UserRepository {
  insert(user: User): Promise<void>;
  findById(id: string): Promise<User | undefined>;
  findByUsername(username: string): Promise<User | undefined>;
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
}

export interface ProjectListQuery {
  organizationId: string;
  /** `undefined` = every state. */
  states?: readonly ProjectState[];
  /** Keyset cursor: list names strictly after this lower-cased name. */
  afterNameKey?: string;
  limit: number;
}

export interface ProjectChanges {
  name?: string;
  description?: string;
  visibility?: ProjectVisibility;
  state?: ProjectState;
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

export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  /** Sets the key only if it is absent; returns whether this call set it. */
  setIfAbsent(key: string, value: string): Promise<boolean>;
}

export interface TokenChanges {
  displayName?: string;
  scopes?: readonly string[];
  organizationId?: string | null;
  validTo?: string;
}

export interface TokenRepository {
  insert(token: PersonalAccessToken): Promise<void>;
  findById(id: string): Promise<PersonalAccessToken | undefined>;
  findByHash(tokenHash: string): Promise<PersonalAccessToken | undefined>;
  /** Newest first. */
  listForUser(userId: string): Promise<PersonalAccessToken[]>;
  update(id: string, changes: TokenChanges): Promise<void>;
  /** Sets revoked_at if not yet revoked; returns whether this call revoked it. */
  revoke(id: string, revokedAt: string): Promise<boolean>;
  setLastUsed(id: string, lastUsedAt: string): Promise<void>;
}

export interface OAuthAppRepository {
  insert(app: OAuthApp): Promise<void>;
  findById(id: string): Promise<OAuthApp | undefined>;
  /** Oldest first; every app, or those of one owner. */
  list(ownerId?: string): Promise<OAuthApp[]>;
  setSecretHash(id: string, secretHash: string, secretCreatedAt: string): Promise<void>;
  /** Deletes the app with its grants, codes and refresh tokens; returns whether it existed. */
  delete(id: string): Promise<boolean>;
}

/** Grants and the credentials issued from them: authorization codes and refresh tokens. */
export interface OAuthGrantRepository {
  insert(grant: OAuthGrant): Promise<void>;
  findById(id: string): Promise<OAuthGrant | undefined>;
  /** Newest first. */
  listForUser(userId: string): Promise<OAuthGrant[]>;
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

export interface Repositories {
  users: UserRepository;
  organizations: OrganizationRepository;
  projects: ProjectRepository;
  meta: MetaRepository;
  tokens: TokenRepository;
  oauthApps: OAuthAppRepository;
  oauthGrants: OAuthGrantRepository;
}

export interface Store extends Repositories {
  readonly kind: 'sqlite' | 'postgres';
  /** Human-readable location for logs (never includes a password). */
  readonly location: string;
  migrate(): Promise<{ applied: string[] }>;
  /** Runs `work` in one transaction; the repositories it receives are bound to it. */
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
