import type { Clock } from '../../src/domain/clock.js';

/** A clock tests move by hand. */
export function movableClock(start = '2026-06-01T12:00:00.000Z'): Clock & { advance(ms: number): void; set(iso: string): void } {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
    set(iso) {
      now = Date.parse(iso);
    },
  };
}

export const dayMs = 86_400_000;
