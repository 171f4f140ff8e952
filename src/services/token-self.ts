import type { AccessTarget } from '../domain/authorization.js';
import type { Timestamp } from '../domain/entities.js';
import { type TokenVerdict, tokenVerdicts } from '../domain/explain.js';
import type { CredentialKind, Principal } from '../domain/principal.js';
import { fullAccessScope } from '../domain/scopes.js';
import type { TokenUse } from '../domain/token-usage.js';
import type { ServiceContext } from './context.js';
import type { TokenUsageTrail } from './token-usage.js';

/** What a credential may learn about itself (never its secret). */
export interface CredentialSelf {
  credential: CredentialKind;
  /** The PAT's or OAuth grant's id; absent for a password. */
  authorizationId: string | null;
  /** The PAT's name, or the app an OAuth grant was given to. */
  displayName: string | null;
  user: { id: string; username: string; displayName: string };
  /** The scopes as granted (not expanded by inheritance). */
  scopes: readonly string[];
  /** The one organization a PAT is limited to; null: every organization its user belongs to. */
  organization: { id: string; name: string } | null;
  /** Project ids the credential is limited to; empty: no project restriction. */
  projects: readonly string[];
  validFrom: Timestamp | null;
  expiresAt: Timestamp | null;
  lastUsedAt: Timestamp | null;
  /** The distinct clients the credential was used from, most recent first (PATs only). */
  usage: readonly TokenUse[];
  /** What the organization's token policies say about this credential; empty while none applies. */
  policyWarnings: readonly string[];
}

/** Answers `tokens/self`: a credential describing itself from what identification found plus one or two lookups. */
export class CredentialSelfService {
  constructor(
    private readonly context: ServiceContext,
    private readonly usage: TokenUsageTrail,
  ) {}

  async describe(principal: Principal): Promise<CredentialSelf> {
    const { user } = principal;
    const base: CredentialSelf = {
      credential: principal.credential,
      authorizationId: principal.authorizationId ?? null,
      displayName: null,
      user: { id: user.id, username: user.username, displayName: user.displayName },
      scopes: [fullAccessScope],
      organization: null,
      projects: [],
      validFrom: null,
      expiresAt: principal.expiresAt ?? null,
      lastUsedAt: null,
      usage: [],
      policyWarnings: [],
    };
    if (principal.credential === 'pat' && principal.authorizationId) return this.describePat(base, principal.authorizationId);
    if (principal.credential === 'oauth' && principal.authorizationId) return this.describeGrant(base, principal.authorizationId);
    return base;
  }

  /** For `explain`: which of the caller's own tokens the authorization steps would let through to `target`. */
  async verdicts(principal: Principal, target: AccessTarget): Promise<TokenVerdict[]> {
    const tokens = await this.context.store.tokens.listForUser(principal.user.id);
    return tokenVerdicts(principal.user, principal.memberOf, tokens, target, this.context.clock.now());
  }

  private async describePat(base: CredentialSelf, id: string): Promise<CredentialSelf> {
    const { store } = this.context;
    const token = await store.tokens.findById(id);
    if (!token) return base;
    const organization = token.organizationId ? await store.organizations.findById(token.organizationId) : undefined;
    const usage = await this.usage.trailOf(token.id);
    // The trail holds this very request; the stored time is written at most once a minute.
    const lastUsedAt =
      [token.lastUsedAt, usage[0]?.lastUsedAt]
        .filter((time): time is string => !!time)
        .sort()
        .pop() ?? null;
    return {
      ...base,
      displayName: token.displayName,
      scopes: token.scopes,
      organization: organization ? { id: organization.id, name: organization.name } : null,
      validFrom: token.validFrom,
      expiresAt: token.validTo,
      lastUsedAt,
      usage,
    };
  }

  private async describeGrant(base: CredentialSelf, id: string): Promise<CredentialSelf> {
    const { store } = this.context;
    const grant = await store.oauthGrants.findById(id);
    if (!grant) return base;
    const app = await store.oauthApps.findById(grant.appId);
    return { ...base, displayName: app?.name ?? null, scopes: grant.scopes, validFrom: grant.createdAt };
  }
}
