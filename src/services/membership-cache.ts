import type { ServiceContext } from './context.js';
import { type CacheStats, TtlCache } from './ttl-cache.js';

/**
 * Which organizations a user belongs to, loaded with every identified credential. Cached briefly and
 * dropped on any credential change (a removed member loses access at once in this process, within the
 * cache lifetime elsewhere).
 */
export class MembershipCache {
  private readonly cache: TtlCache<string, ReadonlySet<string>>;

  constructor(
    private readonly context: ServiceContext,
    cacheMs: number,
  ) {
    this.cache = new TtlCache(context.clock, { ttlMs: cacheMs });
    context.credentials.subscribe(() => this.cache.clear());
  }

  get cacheStats(): CacheStats {
    return this.cache.stats;
  }

  /** The set itself when cached (callers await either). `now` (ms): the request's clock reading, when it has one. */
  organizationsOf(userId: string, now?: number): ReadonlySet<string> | Promise<ReadonlySet<string>> {
    return this.cache.valueOrLoad(userId, () => this.load(userId), undefined, now);
  }

  private async load(userId: string): Promise<ReadonlySet<string>> {
    const organizations = await this.context.store.organizations.listForMember(userId);
    return new Set(organizations.map((organization) => organization.id));
  }
}
