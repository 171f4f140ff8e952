import type { Clock } from '../domain/clock.js';
import type { RateCounter, RateHit } from '../storage/ports.js';

// The port lives in storage/ports.ts so that shared implementations (Redis, a database) can implement it there.
export type { RateCounter, RateHit } from '../storage/ports.js';

/** The fixed window a moment falls in: windows start at multiples of their length, so every instance agrees. */
export function windowStart(nowMs: number, windowMs: number): number {
  return Math.floor(nowMs / windowMs) * windowMs;
}

interface Window {
  start: number;
  count: number;
}

/**
 * Counts in this process only: right for one instance (SQLite's case). The map is bounded; under a flood of keys
 * the oldest windows go first.
 */
export class InProcessRateCounter implements RateCounter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  hit(key: string, limit: number, windowMs: number, nowMs = this.clock.now().getTime()): RateHit {
    const start = windowStart(nowMs, windowMs);
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      this.windows.delete(key);
      if (this.windows.size >= this.maxKeys) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      window = { start, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    return { count: window.count, remaining: Math.max(0, limit - window.count), resetAt: start + windowMs };
  }
}
