import type { Clock } from '../domain/clock.js';

/** Lookups answered from memory and from the loader, since start; /metrics reports them. */
export interface CacheStats {
  hits: number;
  misses: number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export interface TtlCacheOptions {
  /** How long a value is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Past this size the oldest entry makes room. */
  maxEntries?: number;
}

/**
 * A small map whose entries expire on the injected clock, so tests move time instead of waiting. What the
 * verifiers and the membership cache share: bounded size, oldest-first eviction, a `clear` for credential events.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly maxEntries: number;
  /** Bumped by `clear`: a load that began before a clear read what the clear was about, and is not kept. */
  private generation = 0;
  readonly stats: CacheStats = { hits: 0, misses: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly options: TtlCacheOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * The cached value, or `load()`'s, kept for the lifetime unless `keep` says otherwise (so a flood of unknown
   * keys cannot push real entries out).
   */
  async getOrLoad(key: K, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const now = this.clock.now().getTime();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) {
      this.stats.hits++;
      return cached.value;
    }
    this.stats.misses++;
    const generation = this.generation;
    const value = await load();
    if (this.options.ttlMs > 0 && generation === this.generation) {
      this.entries.delete(key);
      if (keep(value)) {
        if (this.entries.size >= this.maxEntries) {
          const oldest = this.entries.keys().next().value;
          if (oldest !== undefined) this.entries.delete(oldest);
        }
        this.entries.set(key, { value, expiresAt: now + this.options.ttlMs });
      }
    }
    return value;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
