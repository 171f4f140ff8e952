import type { Change } from '../storage/ports.js';
import type { ServiceContext } from './context.js';
import { type CacheStats, TtlCache } from './ttl-cache.js';

export interface BuildPageCacheOptions<Page> {
  /** The lifetime backstop for a notice that never arrives; 0 turns the cache off. */
  cacheMs: number;
  maxEntries: number;
  /** Bound on the summed size of the pages held, as `sizeOf` measures them with their keys (URLs can be long). */
  maxBytes: number;
  sizeOf: (page: Page, key: string) => number;
}

/** A page looked up: the cached one, if any, and how to keep the one rendered on a miss. */
export interface BuildPageSlot<Page> {
  readonly page: Page | undefined;
  /** Keeps a page rendered for this slot, unless something it shows changed since the lookup. */
  keep(page: Page): void;
}

/**
 * Rendered answers of build reads, reused until anything they show changes. Every change to builds, pipelines,
 * projects or people is announced on the change feed (`builds`, `definitions` with the organization's id, `users`),
 * here at once and on other instances within one notice; a notice naming an organization retires that
 * organization's pages (its generation, part of every key, moves on), any other retires all of them, and the
 * lifetime is the backstop for a lost notice, as for the other caches.
 */
export class BuildPageCache<Page> {
  private readonly pages: TtlCache<string, Page>;
  private readonly generations = new Map<string, number>();

  constructor(context: ServiceContext, options: BuildPageCacheOptions<Page>) {
    this.pages = new TtlCache(context.clock, {
      ttlMs: options.cacheMs,
      maxEntries: options.maxEntries,
      maxWeight: options.maxBytes,
      weigh: options.sizeOf,
    });
    if (options.cacheMs > 0) context.credentials.subscribe((change) => this.heard(change));
  }

  get stats(): CacheStats {
    return this.pages.stats;
  }

  /** `key` must name everything the page depends on besides the data: the organization is added here. */
  slot(organizationId: string, key: string): BuildPageSlot<Page> {
    const fullKey = `${organizationId}\n${this.generations.get(organizationId) ?? 0}\n${key}`;
    const loadedIn = this.pages.epoch;
    const pages = this.pages;
    return {
      page: pages.get(fullKey),
      keep: (page) => pages.set(fullKey, page, loadedIn),
    };
  }

  private heard(change: Change): void {
    const organizationWide = change.topic === 'builds' || change.topic === 'definitions';
    if (organizationWide && change.payload !== '') this.retire(change.payload);
    else if (organizationWide || change.topic === 'users' || change.topic === 'all') this.pages.clear();
  }

  /** Pages of older generations are never looked up again; the bounds push them out. */
  private retire(organizationId: string): void {
    this.generations.set(organizationId, (this.generations.get(organizationId) ?? 0) + 1);
  }
}
