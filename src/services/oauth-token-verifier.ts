import type { User } from '../domain/entities.js';
import type { OAuthGrant } from '../domain/oauth.js';
import type { AccessTokenClaims, AccessTokens } from './access-tokens.js';
import type { ServiceContext } from './context.js';
import type { MembershipCache } from './membership-cache.js';
import { type CacheStats, TtlCache } from './ttl-cache.js';

export type OAuthVerification =
  | { status: 'active'; claims: AccessTokenClaims; grant: OAuthGrant; user: User; memberOf: ReadonlySet<string> }
  | { status: 'invalid' | 'expired' | 'revoked' }
  | { status: 'disabledUser'; user: User };

interface GrantEntry {
  grant: OAuthGrant | undefined;
  user: User | undefined;
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
  private readonly cache: TtlCache<string, GrantEntry>;

  constructor(
    private readonly context: ServiceContext,
    private readonly accessTokens: AccessTokens,
    private readonly membership: MembershipCache,
    options: OAuthVerifierOptions,
  ) {
    this.cache = new TtlCache(context.clock, {
      ttlMs: options.cacheMs,
      ...(options.maxCacheEntries !== undefined && { maxEntries: options.maxCacheEntries }),
    });
    context.credentials.subscribe(() => this.cache.clear());
  }

  get cacheStats(): CacheStats {
    return this.cache.stats;
  }

  async verify(token: string, issuer: string | undefined): Promise<OAuthVerification> {
    const check = await this.accessTokens.verify(token, issuer);
    if (check.status !== 'valid') return check;
    const { grant, user } = await this.lookup(check.claims.authorizationId);
    if (!grant || !user || grant.revokedAt || grant.userId !== check.claims.userId) return { status: 'revoked' };
    if (user.disabledAt) return { status: 'disabledUser', user };
    return { status: 'active', claims: check.claims, grant, user, memberOf: await this.membership.organizationsOf(user.id) };
  }

  private lookup(grantId: string): Promise<GrantEntry> {
    return this.cache.getOrLoad(grantId, async () => {
      const grant = await this.context.store.oauthGrants.findById(grantId);
      const user = grant && (await this.context.store.users.findById(grant.userId));
      return { grant, user };
    });
  }
}
