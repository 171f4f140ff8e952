import type { PolicyMode, PolicyName } from './audit.js';
import { dayMs } from './pat-rules.js';
import { fullAccessScope } from './scopes.js';

export type { PolicyMode, PolicyName } from './audit.js';

export const policyNames: readonly PolicyName[] = ['maxLifespan', 'fullScope', 'globalTokens'];
export const policyModes: readonly PolicyMode[] = ['off', 'audit', 'warn', 'enforce'];

/** One organization's setting of one policy. `maxDays` is used by maxLifespan only. */
export interface OrganizationPolicy {
  organizationId: string;
  policy: PolicyName;
  mode: PolicyMode;
  maxDays: number | null;
  /** Users the policy does not apply to. */
  allowedUserIds: readonly string[];
  updatedAt: string;
}

/** What a policy judges: a token as it is, or as a create or update would make it. */
export interface TokenShape {
  userId: string;
  scopes: readonly string[];
  organizationId: string | null;
  validFrom: string;
  validTo: string;
}

export interface PolicyViolation {
  organizationId: string;
  policy: PolicyName;
  mode: Exclude<PolicyMode, 'off'>;
  maxDays: number | null;
}

/** The refusal codes Azure DevOps reports in `patTokenError`, per policy. */
export const violationCodes = {
  maxLifespan: 'patLifespanPolicyViolation',
  fullScope: 'fullScopePatPolicyViolation',
  globalTokens: 'globalPatPolicyViolation',
} as const satisfies Record<PolicyName, string>;

export const maxPolicyDays = 36_500;

/** The organizations whose policies cover a token: its own, or every organization its owner belongs to when global. */
export function governingOrganizations(token: Pick<TokenShape, 'organizationId'>, memberOf: Iterable<string>): string[] {
  return token.organizationId === null ? [...memberOf] : [token.organizationId];
}

function breaks(policy: OrganizationPolicy, token: TokenShape): boolean {
  switch (policy.policy) {
    case 'maxLifespan':
      // A minute of slack: lifetimes chosen as "N days" from a form land a few milliseconds past N days.
      return policy.maxDays !== null && Date.parse(token.validTo) - Date.parse(token.validFrom) > policy.maxDays * dayMs + 60_000;
    case 'fullScope':
      return token.scopes.includes(fullAccessScope);
    case 'globalTokens':
      return token.organizationId === null;
  }
}

/** Every active policy of the given ones that the token breaks, its owner not being on the policy's allow-list. */
export function violationsOf(policies: Iterable<OrganizationPolicy>, token: TokenShape): PolicyViolation[] {
  const found: PolicyViolation[] = [];
  for (const policy of policies) {
    if (policy.mode === 'off' || policy.allowedUserIds.includes(token.userId) || !breaks(policy, token)) continue;
    found.push({ organizationId: policy.organizationId, policy: policy.policy, mode: policy.mode, maxDays: policy.maxDays });
  }
  return found;
}

/** The sentence a refusal, a banner or a response header uses. */
export function violationMessage(violation: PolicyViolation, organizationName: string): string {
  switch (violation.policy) {
    case 'maxLifespan':
      return `The organization "${organizationName}" limits personal access tokens to ${violation.maxDays} days.`;
    case 'fullScope':
      return `The organization "${organizationName}" restricts full-access (all scopes) personal access tokens.`;
    case 'globalTokens':
      return `The organization "${organizationName}" restricts personal access tokens valid in all accessible organizations.`;
  }
}

export function parsePolicyName(text: string): PolicyName | undefined {
  const key = text.trim().toLowerCase().replace(/[-_ ]/g, '');
  return policyNames.find((name) => name.toLowerCase() === key);
}

export function parsePolicyMode(text: string): PolicyMode | undefined {
  return policyModes.find((mode) => mode === text.trim().toLowerCase());
}
