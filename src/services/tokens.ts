import { randomBytes } from 'node:crypto';
import { type AuditOrigin, auditedToken, type TokenAction } from '../domain/audit.js';
import type { Organization, PersonalAccessToken, User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { isGuid } from '../domain/guid.js';
import { canonicalPat, classifyPat, generatePat } from '../domain/pat-format.js';
import { type PatListQuery, type PatPage, pagePats } from '../domain/pat-list.js';
import {
  checkValidTo,
  dayMs,
  invalidTokenField,
  latestValidTo,
  requireNotRevoked,
  type TokenPolicy,
  tokenDisplayName,
  tokenScopes,
} from '../domain/pat-rules.js';
import { hasRestrictions, noRestrictions, type TokenRestrictions } from '../domain/token-restrictions.js';
import { tokenAlreadyRotated } from '../domain/token-rotation.js';
import { DuplicateKeyError } from '../storage/ports.js';
import type { ServiceContext } from './context.js';
import type { OrganizationPolicyService } from './org-policies.js';
import type { RevocationRuleService } from './revocation-rules.js';
import type { TokenHasher } from './token-hasher.js';
import { type RestrictionsInput, resolveRestrictions } from './token-restrictions.js';

// The pages and the CLI read token rules through the token service's module.
export { type TokenPolicy, type TokenStatus, tokenStatus } from '../domain/pat-rules.js';
export type { RestrictionsInput } from './token-restrictions.js';

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
  /** Projects (names or ids), read-only, address ranges, rate; none when absent. */
  restrictions?: RestrictionsInput | undefined;
  /** Who asked and how, for the audit log; by default the owner through the REST API. */
  origin?: AuditOrigin | undefined;
}

export interface TokenChangesInput {
  displayName?: string | undefined;
  scope?: string | undefined;
  organizationId?: string | null | undefined;
  validTo?: Date | undefined;
  /** Replaces all of the token's restrictions; absent: they stay as they are. */
  restrictions?: RestrictionsInput | undefined;
}

export interface CreatedToken {
  token: PersonalAccessToken;
  /** The token text. Returned once; only its keyed hash is stored. */
  text: string;
}

/** Stored restrictions given back as input (project ids resolve to themselves), for a regenerated token. */
function storedAsInput(restrictions: TokenRestrictions): RestrictionsInput {
  return {
    projects: restrictions.projectIds,
    readOnly: restrictions.readOnly,
    allowedAddresses: restrictions.allowedAddresses,
    rateLimit: restrictions.rateLimit,
  };
}

export class TokenService {
  private readonly revokedListeners = new Set<(token: PersonalAccessToken) => Promise<void>>();

  constructor(
    private readonly context: ServiceContext,
    private readonly hasher: TokenHasher,
    private readonly policy: TokenPolicy,
    private readonly policies: OrganizationPolicyService,
    /** Tokens a revocation rule stops list as revoked. */
    private readonly rules: Pick<RevocationRuleService, 'applyTo' | 'applyToMembersOf'>,
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
    const created = await this.prepare(input, text);
    await this.insert(created.token);
    return created;
  }

  private async insert(token: PersonalAccessToken): Promise<void> {
    try {
      await this.context.store.tokens.insert(token);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw new DomainError('invalidInput', 'That token is already registered.');
      throw error;
    }
  }

  /** Checks a new token against the rules and policies and builds it; nothing is stored yet. */
  private async prepare(input: NewToken, text: string): Promise<CreatedToken> {
    const now = this.context.clock.now();
    const displayName = tokenDisplayName(input.displayName);
    const scopes = tokenScopes(input.scope);
    const validTo = this.validTo(now, input.validTo, input.days);
    if (input.user.disabledAt) throw new DomainError('userDisabled', `User "${input.user.username}" is disabled.`);
    const organization = input.organizationId !== null ? await this.requireMember(input.organizationId, input.user) : undefined;
    const restrictions = input.restrictions && (await this.restrictionsFor(organization, input.restrictions));
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
      ...(restrictions && hasRestrictions(restrictions) && { restrictions }),
    };
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

  /**
   * The user's token (revoked if a revocation rule stops it), or tokenNotFound: other users' tokens are
   * indistinguishable from missing ones.
   */
  async getOwned(user: User, id: string): Promise<PersonalAccessToken> {
    const token = await this.context.store.tokens.findById(id);
    if (!token || token.userId !== user.id) {
      throw new DomainError('tokenNotFound', `No personal access token has the authorization id "${id}".`);
    }
    const [judged] = await this.rules.applyTo(user.id, [token]);
    return judged ?? token;
  }

  /** The names of the projects the tokens are restricted to, by id, for pages that show restrictions. */
  async projectNames(tokens: readonly PersonalAccessToken[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const token of tokens) {
      if (token.organizationId === null) continue;
      for (const id of token.restrictions?.projectIds ?? []) {
        if (names.has(id)) continue;
        const project = await this.context.store.projects.findById(token.organizationId, id);
        if (project) names.set(id, project.name);
      }
    }
    return names;
  }

  /** Newest first; a token a revocation rule stops is listed revoked. */
  async list(user: User): Promise<PersonalAccessToken[]> {
    return this.rules.applyTo(user.id, await this.context.store.tokens.listForUser(user.id));
  }

  /** Every token of the organization's members that works in it, judged by the rules; each owner's newest first. */
  async listForMembersOf(organization: Organization): Promise<PersonalAccessToken[]> {
    return this.rules.applyToMembersOf(organization.id, await this.context.store.tokens.listForMembersOf(organization.id));
  }

  /** Called after each revocation this process makes (webhooks); a listener's failure fails the revoke call. */
  onRevoked(listener: (token: PersonalAccessToken) => Promise<void>): void {
    this.revokedListeners.add(listener);
  }

  /**
   * Revokes at once in this process; the notice to other processes leaves with the revocation's commit, and the
   * cache lifetime bounds it should the notice be lost.
   */
  async revoke(token: PersonalAccessToken, origin?: AuditOrigin): Promise<PersonalAccessToken> {
    const revokedAt = this.context.clock.now().toISOString();
    const changed = await this.context.store.transaction(async (repositories) => {
      const revoked = await repositories.tokens.revoke(token.id, revokedAt);
      await repositories.changes.publish('tokens', token.id);
      return revoked;
    });
    this.context.credentials.changedHere('tokens', token.id);
    if (!changed) return (await this.context.store.tokens.findById(token.id)) ?? token;
    const revoked = { ...token, revokedAt };
    this.audit('token.revoked', token, origin ?? { actor: { userId: token.userId, name: 'the owner' }, via: 'api' });
    for (const listener of this.revokedListeners) await listener(revoked);
    return revoked;
  }

  async update(
    token: PersonalAccessToken,
    user: User,
    changes: TokenChangesInput,
    origin: AuditOrigin = ownerOrigin(user),
  ): Promise<PersonalAccessToken> {
    requireNotRevoked(token);
    await this.requireNotRotated(token);
    const now = this.context.clock.now();
    const next: PersonalAccessToken = {
      ...token,
      ...(changes.displayName !== undefined && { displayName: tokenDisplayName(changes.displayName) }),
      ...(changes.scope !== undefined && { scopes: tokenScopes(changes.scope) }),
      ...(changes.organizationId !== undefined && { organizationId: changes.organizationId }),
      ...(changes.validTo !== undefined && { validTo: this.validTo(now, changes.validTo, undefined).toISOString() }),
    };
    const movedOrganization = changes.organizationId !== undefined && changes.organizationId !== token.organizationId;
    const organization =
      next.organizationId !== null && (movedOrganization || changes.restrictions?.projects?.length)
        ? await this.requireMember(next.organizationId, user)
        : undefined;
    if (changes.restrictions) {
      const restrictions = await this.restrictionsFor(organization, changes.restrictions);
      if (hasRestrictions(restrictions)) next.restrictions = restrictions;
      else delete next.restrictions;
    } else if (movedOrganization && (token.restrictions?.projectIds.length ?? 0) > 0) {
      throw new DomainError(
        'invalidInput',
        'The token is restricted to projects of its organization: clear or replace the project restriction when moving it to another organization.',
        { field: 'restrictions' },
      );
    }
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
      ...(changes.restrictions && { restrictions: next.restrictions ?? noRestrictions }),
    });
    await this.context.credentials.changed('tokens', token.id);
    this.audit('token.updated', next, origin);
    return next;
  }

  /** A new secret with the same settings and lifetime length; the old token is revoked. */
  async regenerate(token: PersonalAccessToken, user: User, origin: AuditOrigin = ownerOrigin(user)): Promise<CreatedToken> {
    requireNotRevoked(token);
    await this.requireNotRotated(token);
    const created = await this.successorOf(token, user, origin);
    await this.insert(created.token);
    this.audit('token.regenerated', created.token, origin);
    await this.revoke(token, origin);
    return created;
  }

  /**
   * The token that replaces `token` (regenerate, rotate): same name, scopes, organization and restrictions, a
   * lifetime of the same length from now within the policy. Checked but not stored.
   */
  async successorOf(token: PersonalAccessToken, user: User, origin: AuditOrigin = ownerOrigin(user)): Promise<CreatedToken> {
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
      ...(token.restrictions && { restrictions: storedAsInput(token.restrictions) }),
      origin,
    };
    return this.prepare(input, generatePat(this.random));
  }

  /** A rotated token winds down to the end of its grace window: changing it or regenerating it is refused. */
  private async requireNotRotated(token: PersonalAccessToken): Promise<void> {
    const rotation = await this.context.store.tokenRotations.findByToken(token.id);
    if (rotation) throw tokenAlreadyRotated(rotation);
  }

  /** One page of the user's tokens that work in an organization (its own and global ones), as the lifecycle API lists them. */
  async pageIn(user: User, organizationId: string, query: PatListQuery): Promise<PatPage> {
    const tokens = await this.list(user);
    const usable = tokens.filter((token) => token.organizationId === null || token.organizationId === organizationId);
    return pagePats(usable, query, this.context.clock.now());
  }

  /** The user's token, if it works in the organization; tokens of other organizations are not found there. */
  async getOwnedIn(user: User, organizationId: string, id: string): Promise<PersonalAccessToken> {
    const token = await this.getOwned(user, id);
    if (token.organizationId !== null && token.organizationId !== organizationId) {
      throw new DomainError('tokenNotFound', `No personal access token has the authorization id "${id}".`);
    }
    return token;
  }

  private audit(action: TokenAction, token: PersonalAccessToken, origin: AuditOrigin): void {
    this.context.audit.record({
      action,
      origin,
      token: auditedToken(token),
    });
  }

  private validTo(now: Date, validTo: Date | undefined, days: number | undefined): Date {
    if (validTo !== undefined && days !== undefined)
      throw invalidTokenField('validTo', 'Give either an expiry date or a number of days, not both.');
    if (days !== undefined && (!Number.isInteger(days) || days < 1))
      throw invalidTokenField('validTo', 'The lifetime must be a whole number of days, at least 1.');
    return checkValidTo(now, validTo ?? new Date(now.getTime() + (days ?? this.policy.defaultLifetimeDays) * dayMs), this.policy);
  }

  private async requireMember(organizationId: string, user: User): Promise<Organization> {
    const organization = await this.context.store.organizations.findById(organizationId);
    if (!organization) throw new DomainError('organizationNotFound', 'The organization does not exist.');
    if (!(await this.context.store.organizations.isMember(organizationId, user.id))) {
      throw new DomainError('notMember', `User "${user.username}" is not a member of "${organization.name}".`);
    }
    return organization;
  }

  /** Refusals name the field `restrictions`, so the lifecycle API can answer them in band. */
  private async restrictionsFor(organization: Organization | undefined, input: RestrictionsInput): Promise<TokenRestrictions> {
    try {
      return await resolveRestrictions(
        async (organizationId, idOrName) =>
          (isGuid(idOrName) && (await this.context.store.projects.findById(organizationId, idOrName))) ||
          this.context.store.projects.findByName(organizationId, idOrName),
        organization,
        input,
      );
    } catch (error) {
      if (error instanceof DomainError)
        throw new DomainError(error.code, error.message, { ...error.details, field: 'restrictions' });
      throw error;
    }
  }
}

/** The default origin: the token's owner, through the REST API. */
function ownerOrigin(user: User): AuditOrigin {
  return { actor: { userId: user.id, name: user.username }, via: 'api' };
}
