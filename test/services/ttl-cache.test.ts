import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/services/ttl-cache.js';
import { movableClock } from '../support/clock.js';

describe('the TTL cache', () => {
  const counting = () => {
    let loads = 0;
    return { load: async () => ++loads, loads: () => loads };
  };

  it('reuses a value until its lifetime passes on the injected clock', async () => {
    const clock = movableClock();
    const cache = new TtlCache<string, number>(clock, { ttlMs: 500 });
    const source = counting();
    expect(await cache.getOrLoad('a', source.load)).toBe(1);
    clock.advance(499);
    expect(await cache.getOrLoad('a', source.load)).toBe(1);
    clock.advance(1);
    expect(await cache.getOrLoad('a', source.load)).toBe(2);
  });

  it('keeps nothing with a lifetime of 0, nothing `keep` refuses, and nothing after clear()', async () => {
    const clock = movableClock();
    const source = counting();
    const off = new TtlCache<string, number>(clock, { ttlMs: 0 });
    await off.getOrLoad('a', source.load);
    expect(await off.getOrLoad('a', source.load)).toBe(2);
    const picky = new TtlCache<string, number>(clock, { ttlMs: 500 });
    await picky.getOrLoad('a', source.load, () => false);
    expect(await picky.getOrLoad('a', source.load)).toBe(4);
    picky.clear();
    expect(await picky.getOrLoad('a', source.load)).toBe(5);
  });

  it('evicts the oldest entry past its size bound', async () => {
    const cache = new TtlCache<string, string>(movableClock(), { ttlMs: 500, maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) await cache.getOrLoad(key, async () => `${key}1`);
    expect(await cache.getOrLoad('a', async () => 'a2')).toBe('a2');
    expect(await cache.getOrLoad('c', async () => 'c2')).toBe('c1');
  });

  it('evicts the oldest entries past its weight bound, and never keeps a value heavier than the bound', async () => {
    const cache = new TtlCache<string, string>(movableClock(), { ttlMs: 500, maxWeight: 10, weigh: (value) => value.length });
    const held = (key: string) => cache.get(key) !== undefined;
    cache.set('a', 'aaaa', cache.epoch);
    cache.set('b', 'bbbb', cache.epoch);
    expect([held('a'), held('b')]).toEqual([true, true]);
    cache.set('c', 'cccc', cache.epoch);
    expect([held('a'), held('b'), held('c')]).toEqual([false, true, true]);
    // Replacing an entry gives its weight back first: b and c stay.
    cache.set('c', 'cc', cache.epoch);
    cache.set('d', 'dd', cache.epoch);
    expect([held('b'), held('c'), held('d')]).toEqual([true, true, true]);
    cache.set('e', 'e'.repeat(11), cache.epoch);
    expect([held('b'), held('c'), held('d'), held('e')]).toEqual([true, true, true, false]);
    cache.clear();
    for (const key of ['f', 'g']) cache.set(key, key.repeat(5), cache.epoch);
    expect([held('f'), held('g')]).toEqual([true, true]);
  });

  it('does not keep a value whose load began before a clear (it may predate the change the clear announced)', async () => {
    const cache = new TtlCache<string, string>(movableClock(), { ttlMs: 500 });
    let finish: (value: string) => void = () => {};
    const inFlight = cache.getOrLoad('token', () => new Promise<string>((resolve) => (finish = resolve)));
    cache.clear();
    finish('active');
    expect(await inFlight).toBe('active');
    expect(await cache.getOrLoad('token', async () => 'revoked')).toBe('revoked');
    expect(await cache.getOrLoad('token', async () => 'later')).toBe('revoked');
  });
});
