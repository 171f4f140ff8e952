import type { ServiceContext } from './context.js';

interface Entry {
  organizationIds: ReadonlySet<string>;
  expiresAt: number;
}

/**
 * Which organizations a user belongs to, loaded with every identified credential. Cached briefly and
 * dropped on any credential change (a removed member loses access at once in this process, within the
 * cache lifetime elsewhere).
 */
export class MembershipCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly context: ServiceContext,
    private readonly cacheMs: number,
    private readonly maxEntries = 10_000,
  ) {
    context.credentials.subscribe(() => this.entries.clear());
  }

  async organizationsOf(userId: string): Promise<ReadonlySet<string>> {
    const now = Date.now();
    let entry = this.entries.get(userId);
    if (!entry || entry.expiresAt <= now) {
      const organizations = await this.context.store.organizations.listForMember(userId);
      entry = { organizationIds: new Set(organizations.map((o) => o.id)), expiresAt: now + this.cacheMs };
      if (this.cacheMs > 0) {
        this.entries.delete(userId);
        if (this.entries.size >= this.maxEntries) {
          const oldest = this.entries.keys().next().value;
          if (oldest !== undefined) this.entries.delete(oldest);
        }
        this.entries.set(userId, entry);
      }
    }
    return entry.organizationIds;
  }
}
