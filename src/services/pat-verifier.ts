import { hash } from 'node:crypto';
import type { PersonalAccessToken, User } from '../domain/entities.js';
import { canonicalPat, classifyPat } from '../domain/pat-format.js';
import { tokenStatus } from '../domain/pat-rules.js';
import { type CompiledRules, rulesRevoke } from '../domain/revocation-rules.js';
import type { PrincipalRestrictions } from '../domain/token-restrictions.js';
import type { ServiceContext } from './context.js';
import type { MembershipCache } from './membership-cache.js';
import type { TokenHasher } from './token-hasher.js';
import { principalRestrictions } from './token-restrictions.js';
import { type CacheStats, TtlCache } from './ttl-cache.js';

/** Who a PAT identifies; whether it may act in an organization is the authorization step's question. */
export type PatVerification =
  | {
      status: 'active';
      token: PersonalAccessToken;
      user: User;
      memberOf: ReadonlySet<string>;
      /** Built once per cached lookup, so checking them costs no query and no parsing per request. */
      restrictions: PrincipalRestrictions | undefined;
    }
  | { status: 'malformed' | 'unknown' }
  | { status: 'expired' | 'revoked' | 'disabledUser'; token: PersonalAccessToken; user: User };

interface CacheEntry {
  /** Only a token whose stored hash matched the presented one in constant time; undefined when none did. */
  token: PersonalAccessToken | undefined;
  user: User | undefined;
  restrictions: PrincipalRestrictions | undefined;
  /** The token's validTo, parsed once per lookup rather than on every request. */
  validToMs: number;
}

export interface VerifierOptions {
  acceptLegacy: boolean;
  /** How long a lookup is reused; bounds how late other processes' revocations are seen. */
  cacheMs: number;
  maxCacheEntries?: number;
  /** Last-used time is written at most once per interval per token. */
  lastUsedIntervalMs?: number;
  onBackgroundError?: (error: unknown) => void;
  /** Organizations' revocation rules, held in memory; none when absent. `now` in ms. */
  rules?: { current(now?: number): CompiledRules | Promise<CompiledRules> };
}

/** Unknown tokens are not cached: a flood of random tokens must not evict real ones. */
const keepKnown = (entry: CacheEntry) => entry.token !== undefined;

/**
 * Decides what a presented PAT is worth. The hot path returns values and never throws for bad input:
 * shape and checksum are checked before any hashing or storage access, then a short-lived cache, then the store.
 */
export class PatVerifier {
  private readonly cache: TtlCache<string, CacheEntry>;
  private readonly lastUsedWrites = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly lastUsedIntervalMs: number;

  constructor(
    private readonly context: ServiceContext,
    private readonly hasher: TokenHasher,
    /** Memberships are loaded with the token, so authorization needs no second trip to storage. */
    private readonly membership: MembershipCache,
    private readonly options: VerifierOptions,
  ) {
    this.maxEntries = options.maxCacheEntries ?? 10_000;
    this.cache = new TtlCache(context.clock, { ttlMs: options.cacheMs, maxEntries: this.maxEntries });
    this.lastUsedIntervalMs = options.lastUsedIntervalMs ?? 60_000;
    context.credentials.subscribe(() => this.cache.clear());
  }

  get cacheStats(): CacheStats {
    return this.cache.stats;
  }

  /**
   * A token found in memory is answered as a value (no promise, no microtask turn); a miss, or a membership or rules
   * reload, makes the answer a promise. `now`: the request's clock reading, when the caller already took one.
   */
  verify(text: string, now: Date = this.context.clock.now()): PatVerification | Promise<PatVerification> {
    // Shape and checksum first, before any hashing: a forged token is refused at least as fast as a real one is
    // accepted (issue 11's P3), and nothing but a well-formed token is ever looked up.
    const shape = classifyPat(text);
    if (shape === 'invalid' || (shape === 'legacy' && !this.options.acceptLegacy)) return { status: 'malformed' };
    const canonical = canonicalPat(text, shape);
    const found = this.cache.valueOrLoad(this.memoryKey(canonical), () => this.load(canonical), keepKnown, now.getTime());
    return found instanceof Promise ? found.then((entry) => this.checkEntry(entry, now)) : this.checkEntry(found, now);
  }

  private checkEntry(entry: CacheEntry, now: Date): PatVerification | Promise<PatVerification> {
    const { token, user } = entry;
    if (!token || !user) return { status: 'unknown' };
    const status = tokenStatus(token, now, entry.validToMs);
    if (status !== 'active') return { status, token, user };
    if (user.disabledAt) return { status: 'disabledUser', token, user };
    const members = this.membership.organizationsOf(user.id, now.getTime());
    return members instanceof Promise
      ? members.then((memberOf) => this.checkRules(token, user, entry.restrictions, memberOf, now))
      : this.checkRules(token, user, entry.restrictions, members, now);
  }

  private checkRules(
    token: PersonalAccessToken,
    user: User,
    restrictions: PrincipalRestrictions | undefined,
    memberOf: ReadonlySet<string>,
    now: Date,
  ): PatVerification | Promise<PatVerification> {
    const rules = this.options.rules?.current(now.getTime());
    if (rules instanceof Promise) {
      return rules.then((loaded) => this.activeUnlessRevoked(token, user, restrictions, memberOf, loaded, now));
    }
    return this.activeUnlessRevoked(token, user, restrictions, memberOf, rules, now);
  }

  private activeUnlessRevoked(
    token: PersonalAccessToken,
    user: User,
    restrictions: PrincipalRestrictions | undefined,
    memberOf: ReadonlySet<string>,
    rules: CompiledRules | undefined,
    now: Date,
  ): PatVerification {
    if (rules && rulesRevoke(rules, token, memberOf)) return { status: 'revoked', token, user };
    this.recordUse(token, now);
    return { status: 'active', token, user, memberOf, restrictions };
  }

  /**
   * The memory cache is keyed by a plain SHA-256 of the token: a token carries far too much entropy to be guessed
   * from its digest, and one digest costs a fraction of building a keyed HMAC on every request. The HMAC, which is
   * what the store holds (so that a leaked database does not allow offline guessing), is computed only on a miss, to
   * look the token up. The key is a digest, never the token text.
   */
  private memoryKey(text: string): string {
    return hash('sha256', text, 'base64');
  }

  private async load(canonical: string): Promise<CacheEntry> {
    const keyed = this.hasher.hash(canonical);
    const found = await this.context.store.tokens.findByHashWithOwner(keyed);
    // Compared once, when loaded: a cached entry is only ever found again under the digest of this same token.
    const token = found && this.hasher.matches(found.token.tokenHash, keyed) ? found.token : undefined;
    return {
      token,
      user: token && found?.owner,
      restrictions: principalRestrictions(token?.restrictions),
      validToMs: token ? Date.parse(token.validTo) : Number.NaN,
    };
  }

  private recordUse(token: PersonalAccessToken, now: Date): void {
    const last = this.lastUsedWrites.get(token.id) ?? 0;
    if (now.getTime() - last < this.lastUsedIntervalMs) return;
    if (this.lastUsedWrites.size >= this.maxEntries) this.lastUsedWrites.clear();
    this.lastUsedWrites.set(token.id, now.getTime());
    this.context.store.tokens
      .setLastUsed(token.id, now.toISOString())
      .catch((error: unknown) => this.options.onBackgroundError?.(error));
  }
}
