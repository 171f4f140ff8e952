import { setImmediate } from 'node:timers/promises';

/**
 * Items handled between two turns of the event loop when a request works through a long list (rendering or
 * serialising up to 5,000 builds): a slice costs a few milliseconds, so other requests never wait long.
 */
export const itemsPerSlice = 100;

/** `items.map(each)`, yielding the event loop between slices of `itemsPerSlice`. */
export async function mapInSlices<T, R>(items: readonly T[], each: (item: T) => R): Promise<R[]> {
  const mapped: R[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % itemsPerSlice === 0) await setImmediate();
    mapped.push(each(items[i] as T));
  }
  return mapped;
}
