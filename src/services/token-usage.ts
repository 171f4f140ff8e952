import type { Timestamp } from '../domain/entities.js';
import { boundedUserAgent, type TokenUse, usageTrail } from '../domain/token-usage.js';
import type { ServiceContext } from './context.js';

/** A token used from an address its trail did not hold: what the audit log records. */
export interface NewAddressEvent {
  tokenId: string;
  userId: string;
  clientAddress: string;
  userAgent: string;
  at: Timestamp;
}

export interface TokenUsageOptions {
  /** Distinct client addresses kept per token. */
  trailSize: number;
  /** Sightings held in memory before a flush is started early. */
  maxPending?: number;
}

/** A sighting as the request path keeps it: epoch milliseconds, turned into timestamps only when read or written. */
interface PendingUse {
  userAgent: string;
  firstMs: number;
  lastMs: number;
}

interface PendingToken {
  userId: string;
  uses: Map<string, PendingUse>;
}

function asUse(tokenId: string, clientAddress: string, pending: PendingUse): TokenUse {
  return {
    tokenId,
    clientAddress,
    userAgent: pending.userAgent,
    firstUsedAt: new Date(pending.firstMs).toISOString(),
    lastUsedAt: new Date(pending.lastMs).toISOString(),
  };
}

function pendingUses(tokenId: string, entry: PendingToken | undefined): TokenUse[] {
  return [...(entry?.uses ?? [])].map(([address, pending]) => asUse(tokenId, address, pending));
}

/**
 * The usage trail of personal access tokens. The request path only updates an in-memory buffer (no query, no
 * write); `flush()` (a timer in app.ts, and shutdown) merges the buffer into the stored trails in one transaction
 * and tells the listeners about addresses a trail did not hold. Readers see stored and buffered uses merged.
 */
export class TokenUsageTrail {
  private pending = new Map<string, PendingToken>();
  private pendingCount = 0;
  private writes: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(event: NewAddressEvent) => void>();
  private readonly errorListeners = new Set<(error: unknown) => void>();
  private readonly maxPending: number;

  constructor(
    private readonly context: ServiceContext,
    private readonly options: TokenUsageOptions,
  ) {
    this.maxPending = options.maxPending ?? 10_000;
  }

  /** The hook the audit log subscribes to; returns the unsubscribe function. */
  onNewAddress(listener: (event: NewAddressEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Where a failed write is reported (the buffer it held is dropped: a trail is a record, not a ledger). */
  onError(listener: (error: unknown) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** One authenticated request by a token: memory only. */
  observe(
    tokenId: string,
    userId: string,
    clientAddress: string,
    userAgent: string | undefined,
    now = this.context.clock.now().getTime(),
  ): void {
    let entry = this.pending.get(tokenId);
    if (!entry) {
      entry = { userId, uses: new Map() };
      this.pending.set(tokenId, entry);
    }
    const seen = entry.uses.get(clientAddress);
    if (seen) {
      seen.lastMs = now;
      if (seen.userAgent !== userAgent) seen.userAgent = boundedUserAgent(userAgent);
      return;
    }
    entry.uses.set(clientAddress, { userAgent: boundedUserAgent(userAgent), firstMs: now, lastMs: now });
    this.pendingCount++;
    // A flood of distinct clients must not grow the buffer without end: it is written out early instead.
    if (this.pendingCount >= this.maxPending) void this.flush();
  }

  /** Writes what the buffer holds; resolves once it (and any earlier flush) is stored. Never rejects. */
  flush(): Promise<void> {
    const batch = this.pending;
    if (batch.size > 0) {
      this.pending = new Map();
      this.pendingCount = 0;
      this.writes = this.writes.then(() =>
        this.write(batch).catch((error: unknown) => {
          for (const listener of this.errorListeners) listener(error);
        }),
      );
    }
    return this.writes;
  }

  /** A token's trail, most recent first: what is stored plus what the buffer holds. */
  async trailOf(tokenId: string): Promise<TokenUse[]> {
    return (await this.trailsOf([tokenId])).get(tokenId) ?? [];
  }

  /** The trails of several tokens (a page of them) in one query. */
  async trailsOf(tokenIds: readonly string[]): Promise<Map<string, TokenUse[]>> {
    const stored = await this.context.store.tokenUsage.listFor(tokenIds);
    const trails = new Map<string, TokenUse[]>();
    for (const tokenId of tokenIds) {
      const buffered = pendingUses(tokenId, this.pending.get(tokenId));
      const uses = [...stored.filter((use) => use.tokenId === tokenId), ...buffered];
      trails.set(tokenId, usageTrail(uses, this.options.trailSize));
    }
    return trails;
  }

  private async write(batch: Map<string, PendingToken>): Promise<void> {
    const events: NewAddressEvent[] = [];
    await this.context.store.transaction(async (repositories) => {
      const stored = await repositories.tokenUsage.listFor([...batch.keys()]);
      const save: TokenUse[] = [];
      const remove: TokenUse[] = [];
      for (const [tokenId, entry] of batch) {
        const before = stored.filter((use) => use.tokenId === tokenId);
        const known = new Set(before.map((use) => use.clientAddress));
        const buffered = pendingUses(tokenId, entry);
        const trail = usageTrail([...before, ...buffered], this.options.trailSize);
        const kept = new Set(trail.map((use) => use.clientAddress));
        save.push(...trail.filter((use) => entry.uses.has(use.clientAddress)));
        remove.push(...before.filter((use) => !kept.has(use.clientAddress)));
        for (const use of buffered) {
          if (known.has(use.clientAddress)) continue;
          const { clientAddress, userAgent, firstUsedAt } = use;
          events.push({ tokenId, userId: entry.userId, clientAddress, userAgent, at: firstUsedAt });
        }
      }
      await repositories.tokenUsage.save(save);
      await repositories.tokenUsage.remove(remove);
    });
    for (const event of events) for (const listener of this.listeners) listener(event);
  }
}
