import { randomBytes } from 'node:crypto';
import type { AuditOrigin, TokenAction } from '../domain/audit.js';
import type { PersonalAccessToken, User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { canonicalPat, classifyPat, generatePat } from '../domain/pat-format.js';
import { checkValidTo, dayMs, latestValidTo, requireNotRevoked, type TokenPolicy } from '../domain/pat-rules.js';
import { parseScopes } from '../domain/scopes.js';
import { DuplicateKeyError } from '../storage/ports.js';
import type { ServiceContext } from './context.js';
import type { OrganizationPolicyService } from './org-policies.js';
import type { TokenHasher } from './token-hasher.js';

// The pages and the CLI read token rules through the token service's module.
export { type TokenPolicy, type TokenStatus, tokenStatus } from '../domain/pat-rules.js';

export interface NewToken {
  user: User;
  displayName: string;
  /** Space-separated scope ids. */
  scope: string;
  /** The organization the token is limited to; null for all accessible organizations. */
  organizationId: string | null;
  /** Either an explicit end of validity... */
  validTo?: Date | undefined;
  /** ...or a lifetime in days (default: the configured default lifetime). */
  days?: number | undefined;
  /** Who asked and how, for the audit log; by default the owner through the REST API. */
  origin?: AuditOrigin | undefined;
}

export interface TokenChangesInput {
  displayName?: string | undefined;
  scope?: string | undefined;
  organizationId?: string | null | undefined;
  validTo?: Date | undefined;
}

export interface CreatedToken {
  token: PersonalAccessToken;
  /** The token text. Returned once; only its keyed hash is stored. */
  text: string;
}

export class TokenService {
  constructor(
    private readonly context: ServiceContext,
    private readonly hasher: TokenHasher,
    private readonly policy: TokenPolicy,
    private readonly policies: OrganizationPolicyService,
    private readonly random: (size: number) => Uint8Array = randomBytes,
  ) {}

  async create(input: NewToken): Promise<CreatedToken> {
    const created = await this.store(input, generatePat(this.random));
    this.audit('token.created', created.token, input.origin ?? ownerOrigin(input.user));
    return created;
  }

  /** Registers a token made elsewhere (e.g. a legacy 52-character Azure DevOps token) under the same rules. */
  async import(input: NewToken, text: string): Promise<CreatedToken> {
    const shape = classifyPat(text.trim());
    if (shape === 'invalid') {
      throw new DomainError(
        'invalidInput',
        'The token is not a 52-character legacy token or an 84-character token with a valid checksum.',
      );
    }
    const created = await this.store(input, canonicalPat(text.trim(), shape));
    this.audit('token.created', created.token, input.origin ?? ownerOrigin(input.user));
    return created;
  }

  private async store(input: NewToken, text: string): Promise<CreatedToken> {
    const now = this.context.clock.now();
    const displayName = this.validDisplayName(input.displayName);
    const scopes = parseScopes(input.scope);
    const validTo = this.validTo(now, input.validTo, input.days);
    if (input.user.disabledAt) throw new DomainError('userDisabled', `User "${input.user.username}" is disabled.`);
    if (input.organizationId !== null) await this.requireMember(input.organizationId, input.user);
    await this.policies.check({
      shape: {
        userId: input.user.id,
        scopes,
        organizationId: input.organizationId,
        validFrom: now.toISOString(),
        validTo: validTo.toISOString(),
      },
      tokenId: null,
      displayName,
      during: 'create',
      origin: input.origin ?? ownerOrigin(input.user),
    });
    const token: PersonalAccessToken = {
      id: this.context.newId(),
      userId: input.user.id,
      displayName,
      scopes,
      organizationId: input.organizationId,
      validFrom: now.toISOString(),
      validTo: validTo.toISOString(),
      createdAt: now.toISOString(),
      revokedAt: null,
      lastUsedAt: null,
      tokenHash: this.hasher.hash(text),
    };
    try {
      await this.context.store.tokens.insert(token);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw new DomainError('invalidInput', 'That token is already registered.');
      throw error;
    }
    return { token, text };
  }

  async get(id: string): Promise<PersonalAccessToken> {
    const token = await this.context.store.tokens.findById(id);
    if (!token) throw new DomainError('tokenNotFound', `No personal access token has the authorization id "${id}".`);
    return token;
  }

  /** The user's token while it may still be changed: tokenNotFound as for getOwned, tokenRevoked once revoked. */
  async getChangeable(user: User, id: string): Promise<PersonalAccessToken> {
    const token = await this.getOwned(user, id);
    requireNotRevoked(token);
    return token;
  }

  /** The user's token, or tokenNotFound: other users' tokens are indistinguishable from missing ones. */
  async getOwned(user: User, id: string): Promise<PersonalAccessToken> {
    const token = await this.context.store.tokens.findById(id);
    if (!token || token.userId !== user.id) {
      throw new DomainError('tokenNotFound', `No personal access token has the authorization id "${id}".`);
    }
    return token;
  }

  list(user: User): Promise<PersonalAccessToken[]> {
    return this.context.store.tokens.listForUser(user.id);
  }

  /** Revokes at once in this process, and within the cache lifetime everywhere else. */
  async revoke(token: PersonalAccessToken, origin?: AuditOrigin): Promise<PersonalAccessToken> {
    const revokedAt = this.context.clock.now().toISOString();
    const changed = await this.context.store.tokens.revoke(token.id, revokedAt);
    this.context.credentials.changed();
    if (changed) this.audit('token.revoked', token, origin ?? { actor: { userId: token.userId, name: 'the owner' }, via: 'api' });
    return changed ? { ...token, revokedAt } : ((await this.context.store.tokens.findById(token.id)) ?? token);
  }

  async update(
    token: PersonalAccessToken,
    user: User,
    changes: TokenChangesInput,
    origin: AuditOrigin = ownerOrigin(user),
  ): Promise<PersonalAccessToken> {
    requireNotRevoked(token);
    const now = this.context.clock.now();
    const next: PersonalAccessToken = {
      ...token,
      ...(changes.displayName !== undefined && { displayName: this.validDisplayName(changes.displayName) }),
      ...(changes.scope !== undefined && { scopes: parseScopes(changes.scope) }),
      ...(changes.organizationId !== undefined && { organizationId: changes.organizationId }),
      ...(changes.validTo !== undefined && { validTo: this.validTo(now, changes.validTo, undefined).toISOString() }),
    };
    if (changes.organizationId) await this.requireMember(changes.organizationId, user);
    // Only a change that touches what a policy judges is judged: renaming an old token stays possible.
    if (changes.scope !== undefined || changes.organizationId !== undefined || changes.validTo !== undefined) {
      await this.policies.check({
        shape: { ...next, validFrom: now.toISOString() },
        tokenId: token.id,
        displayName: next.displayName,
        during: 'update',
        origin,
      });
    }
    await this.context.store.tokens.update(token.id, {
      displayName: next.displayName,
      scopes: next.scopes,
      organizationId: next.organizationId,
      validTo: next.validTo,
    });
    this.context.credentials.changed();
    this.audit('token.updated', next, origin);
    return next;
  }

  /** A new secret with the same settings and lifetime length; the old token is revoked. */
  async regenerate(token: PersonalAccessToken, user: User, origin: AuditOrigin = ownerOrigin(user)): Promise<CreatedToken> {
    requireNotRevoked(token);
    const lifetimeMs = Date.parse(token.validTo) - Date.parse(token.validFrom);
    const now = this.context.clock.now();
    const validTo = new Date(Math.min(now.getTime() + lifetimeMs, latestValidTo(now, this.policy).getTime()));
    const input = {
      user,
      displayName: token.displayName,
      scope: token.scopes.join(' '),
      organizationId: token.organizationId,
      validTo,
      origin,
    };
    const created = await this.store(input, generatePat(this.random));
    this.audit('token.regenerated', created.token, origin);
    await this.revoke(token, origin);
    return created;
  }

  private audit(action: TokenAction, token: PersonalAccessToken, origin: AuditOrigin): void {
    this.context.audit.record({
      action,
      origin,
      token: {
        id: token.id,
        displayName: token.displayName,
        ownerId: token.userId,
        organizationId: token.organizationId,
        scopes: token.scopes,
      },
    });
  }

  private validDisplayName(value: string): string {
    const name = value.trim();
    if (name.length === 0) throw new DomainError('invalidInput', 'A token needs a name.');
    if (name.length > 256 || /\p{Cc}/u.test(name)) {
      throw new DomainError('invalidInput', 'A token name must be at most 256 printable characters.');
    }
    return name;
  }

  private validTo(now: Date, validTo: Date | undefined, days: number | undefined): Date {
    if (validTo !== undefined && days !== undefined)
      throw new DomainError('invalidInput', 'Give either an expiry date or a number of days, not both.');
    if (days !== undefined && (!Number.isInteger(days) || days < 1))
      throw new DomainError('invalidInput', 'The lifetime must be a whole number of days, at least 1.');
    return checkValidTo(now, validTo ?? new Date(now.getTime() + (days ?? this.policy.defaultLifetimeDays) * dayMs), this.policy);
  }

  private async requireMember(organizationId: string, user: User): Promise<void> {
    const organization = await this.context.store.organizations.findById(organizationId);
    if (!organization) throw new DomainError('organizationNotFound', 'The organization does not exist.');
    if (!(await this.context.store.organizations.isMember(organizationId, user.id))) {
      throw new DomainError('notMember', `User "${user.username}" is not a member of "${organization.name}".`);
    }
  }
}

/** The default origin: the token's owner, through the REST API. */
function ownerOrigin(user: User): AuditOrigin {
  return { actor: { userId: user.id, name: user.username }, via: 'api' };
}
