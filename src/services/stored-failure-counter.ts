import type { Clock } from '../domain/clock.js';
import type { FailureCounterRepository, SharedFailureCounter } from '../storage/ports.js';

/** Expired windows are deleted once every this many failures, so the table holds only live ones. */
const purgeEvery = 1_000;

/** The failure counts in the database every instance shares (PostgreSQL without Redis). */
export class StoredFailureCounter implements SharedFailureCounter {
  private increments = 0;

  constructor(
    private readonly repository: FailureCounterRepository,
    private readonly clock: Clock,
  ) {}

  async increment(key: string, windowMs: number): Promise<{ failures: number; startedAt: number }> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - windowMs).toISOString();
    this.increments++;
    if (this.increments % purgeEvery === 0) await this.repository.purge(cutoff);
    const window = await this.repository.increment(key, now.toISOString(), cutoff);
    return { failures: window.failures, startedAt: Date.parse(window.startedAt) };
  }

  async peek(key: string, windowMs: number): Promise<{ failures: number; startedAt: number } | undefined> {
    const cutoff = new Date(this.clock.now().getTime() - windowMs).toISOString();
    const window = await this.repository.find(key, cutoff);
    return window && { failures: window.failures, startedAt: Date.parse(window.startedAt) };
  }

  reset(key: string): Promise<void> {
    return this.repository.reset(key);
  }
}
