import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { Refusal } from '../domain/authorization.js';
import type { CredentialKind } from '../domain/principal.js';
import type { CredentialEvents } from '../services/credential-events.js';
import type { CacheStats } from '../services/ttl-cache.js';
import type { Store } from '../storage/ports.js';
import type { GateObserver } from './auth/access-gate.js';
import { sendError } from './errors.js';
import { AnswerTallies } from './request-tallies.js';

export interface MetricsSources {
  store: Store;
  credentials: CredentialEvents;
  /** Each verification cache and the build page cache by name, read at scrape time. */
  caches: Record<string, () => CacheStats>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The kind of credential the access gate saw, for the request counter's label (a property: no map per request). */
    presentedCredential: CredentialKind | 'none' | null;
  }
}

interface OutcomeCount {
  labels: Record<'outcome' | 'reason' | 'credential', string>;
  count: number;
}

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const lagBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * The process's Prometheus series, in a registry of its own (several apps may share a test process). Requests
 * are labelled by route template, never by URL, so the number of series stays bounded.
 */
export class LapisMetrics {
  readonly registry = new Registry();
  private readonly tallies = new AnswerTallies(latencyBuckets);
  /** Refusals by `reason credential`, counted as plainly as the answers. */
  private readonly refusalCounts = new Map<string, OutcomeCount>();
  /** Admissions, every request's outcome but a refusal's, by credential kind alone: no key is built per request. */
  private readonly admissionCounts = new Map<string, OutcomeCount>();

  /** What the access gate tells: who was admitted with which credential, who was refused and why. */
  readonly observer: GateObserver = {
    admitted: (request, credential) => {
      const kind = credential ?? 'none';
      request.presentedCredential = kind;
      let known = this.admissionCounts.get(kind);
      if (!known) {
        known = { labels: { outcome: 'admitted', reason: 'ok', credential: kind }, count: 0 };
        this.admissionCounts.set(kind, known);
      }
      known.count++;
    },
    refused: (request: FastifyRequest, refusal: Refusal) => {
      request.presentedCredential = refusal.credential ?? 'none';
      this.countRefusal(refusal.reason, refusal.credential ?? 'none');
    },
  };

  private countRefusal(reason: string, credential: string): void {
    const key = `${reason} ${credential}`;
    const known = this.refusalCounts.get(key);
    if (known) known.count++;
    else this.refusalCounts.set(key, { labels: { outcome: 'refused', reason, credential }, count: 1 });
  }

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const { tallies, refusalCounts, admissionCounts } = this;
    new Counter({
      name: 'lapis_http_requests_total',
      help: 'Answered requests by route template, method, status and the kind of credential presented.',
      labelNames: ['route', 'method', 'status', 'credential'],
      registers,
      collect() {
        this.reset();
        for (const { labels, count } of tallies.answerSeries()) this.inc(labels, count);
      },
    });
    tallies.registerDurations(
      this.registry,
      'lapis_http_request_duration_seconds',
      'Time from the request to the last byte of the answer, by route template.',
    );
    new Counter({
      name: 'lapis_auth_outcomes_total',
      help: 'Access decisions: admitted, or refused with the reason (missing, invalid, expired, revoked, throttled...).',
      labelNames: ['outcome', 'reason', 'credential'],
      registers,
      collect() {
        this.reset();
        for (const counts of [admissionCounts, refusalCounts]) {
          for (const { labels, count } of counts.values()) this.inc(labels, count);
        }
      },
    });
    new Counter({
      name: 'lapis_cache_lookups_total',
      help: 'Cache lookups (verification caches, build pages) answered from memory (hit) or from the database (miss).',
      labelNames: ['cache', 'result'],
      registers,
      collect() {
        this.reset();
        for (const [cache, stats] of Object.entries(sources.caches)) {
          const { hits, misses } = stats();
          this.inc({ cache, result: 'hit' }, hits);
          this.inc({ cache, result: 'miss' }, misses);
        }
      },
    });
    new Gauge({
      name: 'lapis_cache_hit_ratio',
      help: 'Share of cache lookups (verification caches, build pages) answered from memory since start.',
      labelNames: ['cache'],
      registers,
      collect() {
        for (const [cache, stats] of Object.entries(sources.caches)) {
          const { hits, misses } = stats();
          this.set({ cache }, hits + misses === 0 ? 0 : hits / (hits + misses));
        }
      },
    });
    const lag = new Histogram({
      name: 'lapis_change_notification_lag_seconds',
      help: "Time from another instance's change notice to its arrival here (the two clocks' difference included).",
      buckets: lagBuckets,
      registers,
    });
    const notices = new Counter({
      name: 'lapis_change_notices_total',
      help: 'Change notices heard from other processes, by topic (`all`: after a gap, or any SQLite write).',
      labelNames: ['topic'],
      registers,
    });
    new Counter({
      name: 'lapis_change_publish_failures_total',
      help: 'Change notices that could not be sent; other instances then see the change within the cache lifetime.',
      registers,
      collect() {
        this.reset();
        this.inc(sources.credentials.publishFailures);
      },
    });
    sources.credentials.subscribe((change) => {
      if (change.sentAt === undefined) {
        if (change.topic === 'all') notices.inc({ topic: 'all' });
        return;
      }
      notices.inc({ topic: change.topic });
      lag.observe(Math.max(0, Date.now() - change.sentAt) / 1000);
    });
    new Gauge({
      name: 'lapis_db_pool_connections',
      help: 'Database pool connections: total open, idle, and requests waiting for one (PostgreSQL only).',
      labelNames: ['state'],
      registers,
      collect() {
        const use = sources.store.poolUse();
        if (!use) return;
        this.set({ state: 'total' }, use.total);
        this.set({ state: 'idle' }, use.idle);
        this.set({ state: 'waiting' }, use.waiting);
      },
    });
  }

  /** Counts every answer, and serves `GET /metrics` unless the configuration turns it off. */
  register(app: FastifyInstance, config: Pick<Config, 'metrics' | 'metricsToken'>): void {
    app.decorateRequest('presentedCredential', null);
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? '(unmatched)';
      const credential = request.presentedCredential ?? 'none';
      this.tallies.record(route, request.method, reply.statusCode, credential, reply.elapsedTime / 1000);
      done();
    });
    if (config.metrics === 'off') return;
    const expected = digest(`Bearer ${config.metricsToken}`);
    app.get('/metrics', async (request, reply) => {
      // Digests of equal length, compared in constant time: the comparison says nothing about the secret.
      if (config.metrics === 'token' && !timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
        reply.header('WWW-Authenticate', 'Bearer');
        return sendError(
          request,
          reply,
          Object.assign(new Error('The metrics need Authorization: Bearer with the configured metrics token.'), {
            statusCode: 401,
          }),
        );
      }
      return reply.header('content-type', this.registry.contentType).send(await this.registry.metrics());
    });
  }
}
