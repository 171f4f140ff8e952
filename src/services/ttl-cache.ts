import type { Clock } from '../domain/clock.js';

/** Lookups answered from memory and from the loader, since start; /metrics reports them. */
export interface CacheStats {
  hits: number;
  misses: number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
  weight: number;
}

export interface TtlCacheOptions<K = unknown, V = unknown> {
  /** How long a value is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Past this size the oldest entry makes room. */
  maxEntries?: number;
  /** With `weigh`: past this total weight the oldest entries make room, so a few large values cannot hold the memory. */
  maxWeight?: number;
  weigh?: (value: V, key: K) => number;
}

/**
 * A small map whose entries expire on the injected clock, so tests move time instead of waiting. What the
 * verifiers and the membership cache share: bounded size, oldest-first eviction, a `clear` for credential events.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly maxEntries: number;
  /** The summed weight of the entries held, when the options weigh them. */
  private weight = 0;
  readonly stats: CacheStats = { hits: 0, misses: 0 };
  /** Bumped by `clear`: a load that began before a clear read what the clear was about, and is not kept. */
  private generation = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: TtlCacheOptions<K, V>,
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * The cached value, or `load()`'s, kept for the lifetime unless `keep` says otherwise (so a flood of unknown
   * keys cannot push real entries out).
   */
  async getOrLoad(key: K, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    return this.valueOrLoad(key, load, keep);
  }

  /**
   * As `getOrLoad`, but a fresh value comes back as it is: a request path's hit allocates no promise and waits for no tick.
   * `now` (ms) lets a request that already read the clock pass its reading instead of reading it again.
   */
  valueOrLoad(
    key: K,
    load: () => Promise<V>,
    keep: (value: V) => boolean = () => true,
    now: number = this.clock.now().getTime(),
  ): V | Promise<V> {
    const cached = this.fresh(key, now);
    if (cached) return cached.value;
    return this.load(key, load, keep, now);
  }

  private async load(key: K, load: () => Promise<V>, keep: (value: V) => boolean, now: number): Promise<V> {
    const loadedIn = this.generation;
    const value = await load();
    if (loadedIn !== this.generation) return value;
    if (keep(value)) this.store(key, value, now);
    else this.remove(key);
    return value;
  }

  /** The cached value, if one is still fresh: for callers that load their misses together or apart (`load`). */
  get(key: K, now: number = this.clock.now().getTime()): V | undefined {
    return this.fresh(key, now)?.value;
  }

  /** What to pass to `set` for a value about to be loaded: a `clear` before the `set` then discards it. */
  get epoch(): number {
    return this.generation;
  }

  /** Keeps a value loaded by the caller for the lifetime, unless the cache was cleared since `loadedIn`. */
  set(key: K, value: V, loadedIn: number): void {
    if (loadedIn === this.generation) this.store(key, value, this.clock.now().getTime());
  }

  private fresh(key: K, now: number): Entry<V> | undefined {
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) {
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    return undefined;
  }

  private store(key: K, value: V, now: number): void {
    if (this.options.ttlMs <= 0) return;
    const weight = this.options.weigh?.(value, key) ?? 0;
    const maxWeight = this.options.maxWeight ?? Number.POSITIVE_INFINITY;
    if (weight > maxWeight) return;
    this.remove(key);
    while (this.entries.size >= this.maxEntries || (this.entries.size > 0 && this.weight + weight > maxWeight)) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
    this.entries.set(key, { value, expiresAt: now + this.options.ttlMs, weight });
    this.weight += weight;
  }

  private remove(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.weight -= entry.weight;
  }

  clear(): void {
    this.entries.clear();
    this.weight = 0;
    this.generation++;
  }
}
