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

/** A rule in the form the hot path checks: scopes as a set, the time as a number. */
export interface CompiledRule {
  organizationId: string;
  scopes: ReadonlySet<string>;
  createdBeforeMs: number;
}

export function compileRule(rule: RevocationRule): CompiledRule {
  return { organizationId: rule.organizationId, scopes: new Set(rule.scopes), createdBeforeMs: Date.parse(rule.createdBefore) };
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

/** Whether a rule stops a token; `tokenScopes` are the token's effective scopes, `memberOf` its user's organizations. */
export function ruleRevokes(
  rule: CompiledRule,
  token: Pick<PersonalAccessToken, 'organizationId' | 'createdAt'>,
  tokenScopes: ReadonlySet<string>,
  memberOf: ReadonlySet<string>,
): boolean {
  if (token.organizationId === null ? !memberOf.has(rule.organizationId) : token.organizationId !== rule.organizationId) {
    return false;
  }
  if (Date.parse(token.createdAt) >= rule.createdBeforeMs) return false;
  if (tokenScopes.has('app_token')) return true;
  for (const scope of rule.scopes) if (tokenScopes.has(scope)) return true;
  return false;
}

/** Checked in O(rules) on data already in memory: no query per request. */
export function anyRuleRevokes(
  rules: readonly CompiledRule[],
  token: Pick<PersonalAccessToken, 'organizationId' | 'createdAt' | 'scopes'>,
  memberOf: ReadonlySet<string>,
): boolean {
  if (rules.length === 0) return false;
  const tokenScopes = effectiveScopes(token.scopes);
  for (const rule of rules) if (ruleRevokes(rule, token, tokenScopes, memberOf)) return true;
  return false;
}
