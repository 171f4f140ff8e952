import type { User } from '../domain/entities.js';
import type { OAuthGrant } from '../domain/oauth.js';
import type { AccessTokenClaims, AccessTokens } from './access-tokens.js';
import type { ServiceContext } from './context.js';
import type { MembershipCache } from './membership-cache.js';

export type OAuthVerification =
  | { status: 'active'; claims: AccessTokenClaims; grant: OAuthGrant; user: User; memberOf: ReadonlySet<string> }
  | { status: 'invalid' | 'expired' | 'revoked' }
  | { status: 'disabledUser'; user: User };

interface GrantEntry {
  grant: OAuthGrant | undefined;
  user: User | undefined;
  expiresAt: number;
}

export interface OAuthVerifierOptions {
  /** How long a grant lookup is reused; bounds how late other processes' revocations are seen. */
  cacheMs: number;
  maxCacheEntries?: number;
}

/**
 * Decides what a presented Bearer token is worth: the signature and claims first (no storage access),
 * then whether its grant still stands and its user is enabled, through a short-lived cache that every
 * credential change in this process clears.
 */
export class OAuthTokenVerifier {
  private readonly cache = new Map<string, GrantEntry>();
  private readonly maxEntries: number;

  constructor(
    private readonly context: ServiceContext,
    private readonly accessTokens: AccessTokens,
    private readonly membership: MembershipCache,
    private readonly options: OAuthVerifierOptions,
  ) {
    this.maxEntries = options.maxCacheEntries ?? 10_000;
    context.credentials.subscribe(() => this.cache.clear());
  }

  async verify(token: string, issuer: string | undefined): Promise<OAuthVerification> {
    const check = await this.accessTokens.verify(token, issuer);
    if (check.status !== 'valid') return check;
    const { grant, user } = await this.lookup(check.claims.authorizationId);
    if (!grant || !user || grant.revokedAt || grant.userId !== check.claims.userId) return { status: 'revoked' };
    if (user.disabledAt) return { status: 'disabledUser', user };
    return { status: 'active', claims: check.claims, grant, user, memberOf: await this.membership.organizationsOf(user.id) };
  }

  private async lookup(grantId: string): Promise<GrantEntry> {
    const now = Date.now();
    const cached = this.cache.get(grantId);
    if (cached && cached.expiresAt > now) return cached;
    const grant = await this.context.store.oauthGrants.findById(grantId);
    const user = grant && (await this.context.store.users.findById(grant.userId));
    const entry: GrantEntry = { grant, user, expiresAt: now + this.options.cacheMs };
    if (this.options.cacheMs > 0) {
      this.cache.delete(grantId);
      if (this.cache.size >= this.maxEntries) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
      this.cache.set(grantId, entry);
    }
    return entry;
  }
}
