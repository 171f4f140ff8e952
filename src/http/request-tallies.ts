import type { Metric, Registry } from 'prom-client';

interface AnswerSeries {
  labels: { route: string; method: string; status: string; credential: string };
  count: number;
}

interface DurationSeries {
  labels: { route: string; method: string };
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative), one slot per upper bound. */
  buckets: number[];
}

/**
 * Every answer counted by route template, method, status and credential, and timed by route and method, in plain
 * maps keyed by the label values: prom-client's own counters and histograms sort, join and check a label object on
 * every call, twice per request. prom-client renders these series only when /metrics is scraped.
 */
export class AnswerTallies {
  private readonly answers = new Map<string, AnswerSeries>();
  private readonly durations = new Map<string, DurationSeries>();

  constructor(private readonly upperBounds: readonly number[]) {}

  record(route: string, method: string, status: number, credential: string, seconds: number): void {
    const timedKey = `${method} ${route}`;
    let timed = this.durations.get(timedKey);
    if (!timed) {
      timed = { labels: { route, method }, count: 0, sum: 0, buckets: this.upperBounds.map(() => 0) };
      this.durations.set(timedKey, timed);
    }
    timed.count++;
    timed.sum += seconds;
    const bucket = this.upperBounds.findIndex((bound) => seconds <= bound);
    if (bucket >= 0) timed.buckets[bucket] = (timed.buckets[bucket] ?? 0) + 1;
    const countedKey = `${timedKey} ${status} ${credential}`;
    const counted = this.answers.get(countedKey);
    if (counted) counted.count++;
    else this.answers.set(countedKey, { labels: { route, method, status: String(status), credential }, count: 1 });
  }

  /** The answers counted so far, for a prom-client counter's `collect`. */
  answerSeries(): Iterable<AnswerSeries> {
    return this.answers.values();
  }

  /** Registers the durations as a prom-client histogram, in the exposition format prom-client writes for its own. */
  registerDurations(registry: Registry, name: string, help: string): void {
    const durations = this.durations;
    const upperBounds = this.upperBounds;
    const metric = {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      async get() {
        const values = [];
        for (const { labels, count, sum, buckets } of durations.values()) {
          let cumulative = 0;
          for (const [index, bound] of upperBounds.entries()) {
            cumulative += buckets[index] ?? 0;
            values.push({ metricName: `${name}_bucket`, labels: { le: bound }, sharedLabels: labels, value: cumulative });
          }
          values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, sharedLabels: labels, value: count });
          values.push({ metricName: `${name}_sum`, labels: {}, sharedLabels: labels, value: sum });
          values.push({ metricName: `${name}_count`, labels: {}, sharedLabels: labels, value: count });
        }
        return { name, help, type: 'histogram', aggregator: 'sum', values };
      },
    };
    // prom-client takes any object with a name and `get()` it can render; its Metric class is only the usual maker.
    registry.registerMetric(metric as unknown as Metric);
  }
}
