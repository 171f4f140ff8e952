import type { PersonalAccessToken } from './entities.js';
import { DomainError } from './errors.js';
import { effectiveScopes, parseScopes } from './scopes.js';

/**
 * An organization's revocation rule: every PAT that carries one of the scopes (itself or through a scope
 * that includes it, full access included) and was created before `createdBefore` stops working. It holds
 * for the organization's own tokens and for the all-organization tokens of its members.
 */
export interface RevocationRule {
  id: string;
  organizationId: string;
  scopes: readonly string[];
  createdBefore: string;
  createdBy: string;
  createdAt: string;
}

/**
 * Every rule folded into the form the hot path checks: per organization, the latest `createdBefore` per scope
 * (and over all scopes, for full-access tokens). Checking a token then costs a lookup per scope it holds,
 * whatever the number of rules.
 */
export interface CompiledRules {
  readonly byOrganization: ReadonlyMap<string, { latestAny: number; byScope: ReadonlyMap<string, number> }>;
}

export function compileRules(rules: readonly RevocationRule[]): CompiledRules {
  const byOrganization = new Map<string, { latestAny: number; byScope: Map<string, number> }>();
  for (const rule of rules) {
    const before = Date.parse(rule.createdBefore);
    let folded = byOrganization.get(rule.organizationId);
    if (!folded) {
      folded = { latestAny: before, byScope: new Map() };
      byOrganization.set(rule.organizationId, folded);
    }
    folded.latestAny = Math.max(folded.latestAny, before);
    for (const scope of rule.scopes) folded.byScope.set(scope, Math.max(folded.byScope.get(scope) ?? before, before));
  }
  return { byOrganization };
}

/** The rule's scopes as given (space- or comma-separated known scope ids). */
export function ruleScopes(value: string): string[] {
  return parseScopes(value);
}

export function ruleCreatedBefore(value: string): Date {
  const date = new Date(value);
  if (value.trim() === '' || Number.isNaN(date.getTime())) {
    throw new DomainError('invalidInput', `createdBefore must be a date and time, not "${value}".`);
  }
  return date;
}

function revokedIn(
  folded: { latestAny: number; byScope: ReadonlyMap<string, number> } | undefined,
  createdMs: number,
  scopes: ReadonlySet<string>,
): boolean {
  if (!folded || createdMs >= folded.latestAny) return false;
  // A full-access token holds every scope: any rule of the organization covering its age stops it.
  if (scopes.has('app_token')) return true;
  for (const scope of scopes) if (createdMs < (folded.byScope.get(scope) ?? Number.NEGATIVE_INFINITY)) return true;
  return false;
}

/**
 * Whether a rule stops a token: one bound to the rule's organization, or an all-organization token of one of
 * its members (`memberOf`), holding one of the rule's scopes (itself or through a scope that includes it) and
 * created before the rule's time. Data already in memory; no query.
 */
export function rulesRevoke(
  rules: CompiledRules,
  token: Pick<PersonalAccessToken, 'organizationId' | 'createdAt' | 'scopes'>,
  memberOf: ReadonlySet<string>,
): boolean {
  if (rules.byOrganization.size === 0) return false;
  const createdMs = Date.parse(token.createdAt);
  const scopes = effectiveScopes(token.scopes);
  if (token.organizationId !== null) return revokedIn(rules.byOrganization.get(token.organizationId), createdMs, scopes);
  for (const organizationId of memberOf) {
    if (revokedIn(rules.byOrganization.get(organizationId), createdMs, scopes)) return true;
  }
  return false;
}

function ruleCovers(rule: RevocationRule, token: RuleJudgedToken, scopes: ReadonlySet<string>, memberOf: ReadonlySet<string>) {
  const organizationMatches =
    token.organizationId === null ? memberOf.has(rule.organizationId) : token.organizationId === rule.organizationId;
  if (!organizationMatches || Date.parse(token.createdAt) >= Date.parse(rule.createdBefore)) return false;
  return scopes.has('app_token') || rule.scopes.some((scope) => scopes.has(scope));
}

type RuleJudgedToken = Pick<PersonalAccessToken, 'organizationId' | 'createdAt' | 'scopes' | 'revokedAt'>;

/**
 * Tokens as lists show them: one a rule stops is revoked since the earliest such rule was made, the same
 * judgement `rulesRevoke` makes on the hot path, here rule by rule for the time. Tokens already revoked keep
 * their own time.
 */
export function withRuleRevocations<T extends RuleJudgedToken>(
  rules: readonly RevocationRule[],
  tokens: readonly T[],
  memberOf: ReadonlySet<string>,
): T[] {
  if (rules.length === 0) return [...tokens];
  return tokens.map((token) => {
    if (token.revokedAt) return token;
    const scopes = effectiveScopes(token.scopes);
    const stopping = rules.filter((rule) => ruleCovers(rule, token, scopes, memberOf)).map((rule) => rule.createdAt);
    return stopping.length === 0 ? token : { ...token, revokedAt: stopping.sort()[0] ?? null };
  });
}
