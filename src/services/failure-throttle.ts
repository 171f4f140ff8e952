import type { Clock } from '../domain/clock.js';

export interface ThrottleVerdict {
  blocked: boolean;
  /** Whole seconds until the key may try again (0 when not blocked). */
  retryAfterSeconds: number;
}

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Counts failures per key (a client address, a username) in fixed windows. Only failures are
 * counted, so valid credentials are never slowed. The map is bounded: under a flood of distinct
 * keys the oldest windows are dropped first (Map keeps insertion order).
 */
export class FailureThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
    /** Called once per window when a key reaches the limit: a burst worth recording. */
    private readonly onLimitReached?: (key: string, failures: number) => void,
  ) {}

  check(key: string): ThrottleVerdict {
    const window = this.current(key);
    if (!window || window.failures < this.limit) return { blocked: false, retryAfterSeconds: 0 };
    const remaining = window.startedAt + this.windowMs - this.clock.now().getTime();
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(remaining / 1000)) };
  }

  recordFailure(key: string): void {
    const window = this.current(key);
    if (window) {
      window.failures++;
      if (window.failures === this.limit) this.onLimitReached?.(key, window.failures);
      return;
    }
    if (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(key, { startedAt: this.clock.now().getTime(), failures: 1 });
    if (this.limit === 1) this.onLimitReached?.(key, 1);
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && this.clock.now().getTime() - window.startedAt >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }
}
