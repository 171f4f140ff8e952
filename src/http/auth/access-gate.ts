import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.js';
import {
  type AccessTarget,
  type AuthorizationStep,
  authorizationSteps,
  authorize,
  type Refusal,
} from '../../domain/authorization.js';
import { type Clock, systemClock } from '../../domain/clock.js';
import type { Project } from '../../domain/entities.js';
import type { CredentialKind, Principal } from '../../domain/principal.js';
import type { PrincipalRestrictions, RateLimit, RateWindow } from '../../domain/token-restrictions.js';
import type { RateCounter, RateHit } from '../../services/rate-counter.js';
import type { TokenUsageTrail } from '../../services/token-usage.js';
import { setUserDataHeader } from '../ado-headers.js';
import { baseUrl } from '../base-url.js';
import type { AuthChain } from './chain.js';
import { policyWarningHeader, setCredentialHeaders } from './credential-headers.js';
import { sendRefusal } from './failure.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import type { AuthOutcome } from './types.js';

export interface GateTarget extends Omit<AccessTarget, 'project'> {
  /** Callers without credentials are served too (credentials, when sent, are still checked). */
  anonymous?: boolean;
  /** The project the URL names, loaded only for a principal restricted to projects (the router reuses it). */
  project?: { name: string; load(): Promise<Project | undefined> };
}

/**
 * The caller (undefined only when anonymous calls are allowed) and the project when the gate already loaded it,
 * or the refusal already sent.
 */
export type Admission = { principal: Principal | undefined; project?: Project | undefined } | { answered: FastifyReply };

export interface GateOptions {
  steps?: readonly AuthorizationStep[];
  /** Counts requests of rate-limited tokens; shared across instances when Redis is configured. */
  rateCounter?: RateCounter;
  clock?: Clock;
  /** Told of each admission and refusal (metrics). */
  observer?: GateObserver;
  /** Expiry headers and the usage trail for every identified caller (memory only). */
  observers?: GateObservers;
}

/** Refusals that say the caller may not act in this organization at all: the user is not named back. */
const identityRefusals: ReadonlySet<Refusal['reason']> = new Set(['credentialNotAccepted', 'wrongOrganization', 'notMember']);

/** Told every outcome, once per request (metrics count them). */
export interface GateObserver {
  admitted(request: FastifyRequest, credential: CredentialKind | undefined): void;
  refused(request: FastifyRequest, refusal: Refusal): void;
}

/** What the gate does with every identified caller besides authorizing it: expiry headers, the usage trail. */
export interface GateObservers {
  clock: Clock;
  usage: Pick<TokenUsageTrail, 'observe'>;
}

const missing: Refusal = {
  reason: 'missing',
  message: 'TF400813: Resource not available for anonymous access. Client authentication required.',
};

/**
 * Where a request's credential is identified (the chain) and then authorized (the domain's steps, in order),
 * and where every refusal is logged, once, and answered as Azure DevOps does (401/203/429; 403 for a token restriction).
 */
export class AccessGate {
  private readonly steps: readonly AuthorizationStep[];
  private readonly rateKeys = new WeakMap<Principal, string>();
  /** The observers' clock when no other is given: one clock for the whole request. */
  private readonly clock: Clock;

  constructor(
    private readonly chain: AuthChain,
    private readonly config: Pick<Config, 'publicUrl' | 'anonymous' | 'tokenExpiryWarningDays'>,
    private readonly options: GateOptions = {},
  ) {
    this.steps = options.steps ?? authorizationSteps;
    this.clock = options.clock ?? options.observers?.clock ?? systemClock;
  }

  /**
   * A value when the credential was known from memory and the principal is unrestricted (most requests): no promise,
   * no microtask turn. The clock is read once here, for every check and header of the request.
   */
  admit(request: FastifyRequest, reply: FastifyReply, target: GateTarget): Admission | Promise<Admission> {
    const now = this.clock.now();
    const outcome = this.chain.authenticate(request, now);
    return outcome instanceof Promise
      ? outcome.then((settled) => this.admitOutcome(request, reply, target, settled, now))
      : this.admitOutcome(request, reply, target, outcome, now);
  }

  private admitOutcome(
    request: FastifyRequest,
    reply: FastifyReply,
    target: GateTarget,
    outcome: AuthOutcome,
    now: Date,
  ): Admission | Promise<Admission> {
    if (outcome.kind === 'none') {
      if (!target.anonymous) return { answered: this.refuse(request, reply, missing) };
      this.options.observer?.admitted(request, undefined);
      return { principal: undefined };
    }
    if (outcome.kind === 'failure') return { answered: this.refuse(request, reply, outcome.failure) };
    const { principal } = outcome;
    if (this.options.observers) this.observe(request, reply, principal, this.options.observers, now);
    return principal.restrictions
      ? this.admitRestricted(request, reply, target, principal, principal.restrictions, now.getTime())
      : this.authorized(request, reply, target, principal, undefined, undefined, undefined);
  }

  /**
   * Only restricted principals pay for a project lookup or a rate count here; everyone else's stays after authorization.
   * Without a project to load and with a count held in this process, the admission is still a value.
   */
  private admitRestricted(
    request: FastifyRequest,
    reply: FastifyReply,
    target: GateTarget,
    principal: Principal,
    restrictions: PrincipalRestrictions,
    nowMs: number,
  ): Admission | Promise<Admission> {
    const projectRef = restrictions.projectIds ? target.project : undefined;
    if (projectRef) return this.admitWithProject(request, reply, target, principal, restrictions, projectRef, nowMs);
    const counted = restrictions.rateLimit ? this.countRate(principal, reply, nowMs) : undefined;
    return counted instanceof Promise
      ? counted.then((rate) => this.authorized(request, reply, target, principal, undefined, undefined, rate))
      : this.authorized(request, reply, target, principal, undefined, undefined, counted);
  }

  private async admitWithProject(
    request: FastifyRequest,
    reply: FastifyReply,
    target: GateTarget,
    principal: Principal,
    restrictions: PrincipalRestrictions,
    projectRef: NonNullable<GateTarget['project']>,
    nowMs: number,
  ): Promise<Admission> {
    const project = await projectRef.load();
    const counted = restrictions.rateLimit ? this.countRate(principal, reply, nowMs) : undefined;
    const rate = counted instanceof Promise ? await counted : counted;
    return this.authorized(request, reply, target, principal, projectRef, project, rate);
  }

  private authorized(
    request: FastifyRequest,
    reply: FastifyReply,
    target: GateTarget,
    principal: Principal,
    projectRef: GateTarget['project'],
    project: Project | undefined,
    rate: RateWindow | undefined,
  ): Admission {
    const access: AccessTarget = {
      organization: target.organization,
      accepts: target.accepts,
      scopes: target.scopes,
      label: target.label,
      method: target.method ?? request.method,
      clientAddress: target.clientAddress ?? request.clientAddress,
      project: projectRef && { id: project?.id ?? null, name: projectRef.name },
      rate,
    };
    const refusal = authorize(principal, access, this.steps);
    // The user is named back only to a caller who may act in this organization, even if its scopes fall short.
    if (!refusal || !identityRefusals.has(refusal.reason)) setUserDataHeader(reply, principal);
    if (refusal) return { answered: this.refuse(request, reply, refusal) };
    this.options.observer?.admitted(request, principal.credential);
    if (principal.policyWarning) reply.header(policyWarningHeader, principal.policyWarning);
    return project ? { principal, project } : { principal };
  }

  /**
   * Counts a rate-limited token's request and tells its caller where it stands, on every answer. An in-process count
   * is used as it comes back: a request should not wait for a turn of the event loop to learn a number it already has.
   */
  private countRate(
    principal: Principal,
    reply: FastifyReply,
    nowMs: number,
  ): RateWindow | undefined | Promise<RateWindow | undefined> {
    const rateLimit = principal.restrictions?.rateLimit;
    const counter = this.options.rateCounter;
    if (!rateLimit || !counter || principal.authorizationId === undefined) return undefined;
    const hit = counter.hit(
      this.rateKey(principal, principal.authorizationId),
      rateLimit.limit,
      rateLimit.windowSeconds * 1000,
      nowMs,
    );
    return hit instanceof Promise
      ? hit.then((counted) => this.rateWindow(rateLimit, counted, reply, nowMs))
      : this.rateWindow(rateLimit, hit, reply, nowMs);
  }

  /** Principals are kept per cached token lookup: the key is built once each, not on every request. */
  private rateKey(principal: Principal, authorizationId: string): string {
    let key = this.rateKeys.get(principal);
    if (key === undefined) {
      key = `pat:${authorizationId}`;
      this.rateKeys.set(principal, key);
    }
    return key;
  }

  private rateWindow(rateLimit: RateLimit, hit: RateHit, reply: FastifyReply, nowMs: number): RateWindow {
    const resetSeconds = Math.max(1, Math.ceil((hit.resetAt - nowMs) / 1000));
    const [limitHeader, remainingHeader, resetHeader] = rateLimitHeaders;
    reply
      .header(limitHeader, String(rateLimit.limit))
      .header(remainingHeader, String(hit.remaining))
      .header(resetHeader, String(resetSeconds));
    return { limit: rateLimit.limit, remaining: hit.remaining, resetSeconds, exceeded: hit.count > rateLimit.limit };
  }

  /** A refused call is still a use of the token: both happen before authorization. Memory only, no query. */
  private observe(request: FastifyRequest, reply: FastifyReply, principal: Principal, observers: GateObservers, now: Date): void {
    setCredentialHeaders(reply, principal, now, this.config.tokenExpiryWarningDays);
    if (principal.credential === 'pat' && principal.authorizationId) {
      const userAgent = request.headers['user-agent'];
      observers.usage.observe(principal.authorizationId, principal.user.id, request.clientAddress, userAgent, now.getTime());
    }
  }

  private refuse(request: FastifyRequest, reply: FastifyReply, refusal: Refusal): FastifyReply {
    this.options.observer?.refused(request, refusal);
    request.log.info(
      { reason: refusal.reason, credential: refusal.credential, authorizationId: refusal.authorizationId },
      'access refused',
    );
    return sendRefusal(request, reply, refusal, {
      baseUrl: baseUrl(request, this.config.publicUrl),
      anonymous: this.config.anonymous,
    });
  }
}
