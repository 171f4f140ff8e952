import type { Clock } from '../domain/clock.js';
import type { SharedFailureCounter } from '../storage/ports.js';

export interface ThrottleVerdict {
  blocked: boolean;
  /** Whole seconds until the key may try again (0 when not blocked). */
  retryAfterSeconds: number;
}

interface Window {
  startedAt: number;
  failures: number;
}

/** Counts shared with other instances, under a name that keeps this throttle's keys apart from the others'. */
export interface SharedCounting {
  counter: SharedFailureCounter;
  name: string;
}

/**
 * Counts failures per key (a client address, a username) in fixed windows. Only failures are
 * counted, so valid credentials are never slowed. The map is bounded: under a flood of distinct
 * keys the oldest windows are dropped first (Map keeps insertion order).
 *
 * With a shared counter every failure is also counted there, and what comes back (the count of every
 * instance) replaces the local view, so the limit holds across instances. Should the shared counter be
 * unreachable, the local count still applies.
 */
export class FailureThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
    private readonly shared?: SharedCounting,
    /** Called once per window when a key reaches the limit: a burst worth recording. */
    private readonly onLimitReached?: (key: string, failures: number) => void,
  ) {}

  /**
   * Counts a failure and says whether the key was already past the limit: on the shared count when there is
   * one (awaited, which only failures pay for), else on this process's.
   */
  async fail(key: string): Promise<ThrottleVerdict> {
    const local = this.check(key);
    this.count(key);
    if (!this.shared) return local;
    try {
      return this.learn(key, await this.shared.counter.increment(this.sharedKey(key), this.windowMs), 1);
    } catch {
      return local;
    }
  }

  /**
   * Whether the key is past the limit on the count of every instance, asked before deciding (a sign-in, a client
   * secret), so N instances do not each allow one more attempt. Blocked locally needs no round trip; an unreachable
   * shared counter leaves the local view.
   */
  async checkAcrossInstances(key: string): Promise<ThrottleVerdict> {
    const local = this.check(key);
    if (local.blocked || !this.shared) return local;
    try {
      const window = await this.shared.counter.peek(this.sharedKey(key), this.windowMs);
      return window ? this.learn(key, window, 0) : local;
    } catch {
      return local;
    }
  }

  /** This process's view only. */
  check(key: string): ThrottleVerdict {
    const window = this.current(key);
    if (!window || window.failures < this.limit) return { blocked: false, retryAfterSeconds: 0 };
    const remaining = window.startedAt + this.windowMs - this.clock.now().getTime();
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(remaining / 1000)) };
  }

  /**
   * Counts a failure; resolves once the shared count has it (so the next attempt, on any instance, sees it). Never
   * rejects: an unreachable shared counter leaves the local count.
   */
  async recordFailure(key: string): Promise<void> {
    this.count(key);
    if (!this.shared) return;
    try {
      this.learn(key, await this.shared.counter.increment(this.sharedKey(key), this.windowMs), 0);
    } catch {
      // The local count stands.
    }
  }

  private count(key: string): void {
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
    this.shared?.counter.reset(this.sharedKey(key)).catch(() => {});
  }

  private sharedKey(key: string): string {
    return `${this.shared?.name}:${key}`;
  }

  /**
   * Takes the shared window as this process's view and returns the verdict as it stood before the failure just
   * counted (`counted` of them are included in the shared count).
   */
  private learn(key: string, shared: { failures: number; startedAt: number }, counted: number): ThrottleVerdict {
    const local = this.current(key);
    if (!local || shared.failures > local.failures || shared.startedAt !== local.startedAt) {
      this.windows.delete(key);
      this.windows.set(key, { startedAt: shared.startedAt, failures: Math.max(shared.failures, local?.failures ?? 0) });
    }
    if (shared.failures - counted < this.limit) return { blocked: false, retryAfterSeconds: 0 };
    const remaining = shared.startedAt + this.windowMs - this.clock.now().getTime();
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(remaining / 1000)) };
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
