import type { ChangeTopic } from '../storage/ports.js';
import type { ServiceContext } from './context.js';
import { TtlCache } from './ttl-cache.js';

/**
 * A cache of reference data for rendering, emptied whenever any instance announces a change on `topic` (or a
 * gap in the announcements), so other instances' edits show within one notice rather than one lifetime.
 */
export function topicCache<K, V>(context: ServiceContext, topic: ChangeTopic, cacheMs: number): TtlCache<K, V> {
  const cache = new TtlCache<K, V>(context.clock, { ttlMs: cacheMs, maxEntries: 10_000 });
  if (cacheMs > 0) {
    context.credentials.subscribe((change) => {
      if (change.topic === topic || change.topic === 'all') cache.clear();
    });
  }
  return cache;
}
