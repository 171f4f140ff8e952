import type { AuditOrigin } from '../domain/audit.js';
import type { Organization, PersonalAccessToken } from '../domain/entities.js';
import {
  type CompiledRules,
  compileRules,
  type RevocationRule,
  ruleCreatedBefore,
  ruleScopes,
  withRuleRevocations,
} from '../domain/revocation-rules.js';
import type { ServiceContext } from './context.js';
import { TtlCache } from './ttl-cache.js';

interface LoadedRules {
  rules: readonly RevocationRule[];
  compiled: CompiledRules;
}

/**
 * Revocation rules: written to the store, read by every verifier from memory. The whole set is reloaded at
 * most once per cache lifetime (the bound within which other processes see a revocation) and at once in this
 * process when credentials change, so checking a token costs no query.
 */
export class RevocationRuleService {
  private readonly cache: TtlCache<'rules', LoadedRules>;

  constructor(
    private readonly context: ServiceContext,
    cacheMs: number,
  ) {
    this.cache = new TtlCache(context.clock, { ttlMs: cacheMs, maxEntries: 1 });
    context.credentials.subscribe(() => this.cache.clear());
  }

  /** Every matching token stops working: here at once, elsewhere within the cache lifetime. */
  async add(organization: Organization, scopes: string, createdBefore: string, origin: AuditOrigin): Promise<RevocationRule> {
    const rule: RevocationRule = {
      id: this.context.newId(),
      organizationId: organization.id,
      scopes: ruleScopes(scopes),
      createdBefore: ruleCreatedBefore(createdBefore).toISOString(),
      // The administrator's user id; the operator's name for a rule made with the CLI.
      createdBy: origin.actor.userId ?? origin.actor.name,
      createdAt: this.context.clock.now().toISOString(),
    };
    await this.context.store.revocationRules.insert(rule);
    this.context.audit.record({
      action: 'admin.action',
      origin,
      operation: 'revocationRule.added',
      target: organization.name,
      organizationId: organization.id,
      data: { scopes: rule.scopes.join(' '), createdBefore: rule.createdBefore },
    });
    await this.context.credentials.changed('revocation-rules', rule.id);
    return rule;
  }

  /**
   * The rules as the hot path checks them (as they are when cached, so a request waits for nothing).
   * `now` (ms): the request's clock reading, when it has one.
   */
  current(now?: number): CompiledRules | Promise<CompiledRules> {
    const loaded = this.loaded(now);
    return loaded instanceof Promise ? loaded.then((rules) => rules.compiled) : loaded.compiled;
  }

  /** One user's tokens as lists show them: those a rule stops are revoked (domain/revocation-rules.ts). */
  async applyTo(userId: string, tokens: readonly PersonalAccessToken[]): Promise<PersonalAccessToken[]> {
    const { rules } = await this.loaded();
    if (rules.length === 0) return [...tokens];
    const memberOf = await this.context.store.organizations.listForMember(userId);
    return withRuleRevocations(rules, tokens, new Set(memberOf.map((organization) => organization.id)));
  }

  /**
   * Tokens of an organization's members (`TokenRepository.listForMembersOf`) as lists show them, with one query for
   * every member's organizations instead of one per member.
   */
  async applyToMembersOf(organizationId: string, tokens: readonly PersonalAccessToken[]): Promise<PersonalAccessToken[]> {
    const { rules } = await this.loaded();
    if (rules.length === 0) return [...tokens];
    const memberOf = new Map<string, Set<string>>();
    for (const membership of await this.context.store.organizations.membershipsOfMembers(organizationId)) {
      const organizations = memberOf.get(membership.userId) ?? new Set<string>();
      organizations.add(membership.organizationId);
      memberOf.set(membership.userId, organizations);
    }
    const none = new Set<string>();
    return tokens.map((token) => withRuleRevocations(rules, [token], memberOf.get(token.userId) ?? none)[0] ?? token);
  }

  private loaded(now?: number): LoadedRules | Promise<LoadedRules> {
    return this.cache.valueOrLoad('rules', () => this.load(), undefined, now);
  }

  private async load(): Promise<LoadedRules> {
    const rules = await this.context.store.revocationRules.listAll();
    return { rules, compiled: compileRules(rules) };
  }
}
