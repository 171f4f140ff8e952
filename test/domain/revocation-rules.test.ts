import { describe, expect, it } from 'vitest';
import {
  compileRules,
  type RevocationRule,
  ruleCreatedBefore,
  rulesRevoke,
  withRuleRevocations,
} from '../../src/domain/revocation-rules.js';

const contoso = 'org-contoso';
const fabrikam = 'org-fabrikam';

function rule(organizationId: string, scopes: string[], createdBefore: string): RevocationRule {
  return { id: 'r', organizationId, scopes, createdBefore, createdBy: 'u', createdAt: createdBefore };
}
const token = (scopes: string[], organizationId: string | null, createdAt = '2026-01-01T00:00:00.000Z') => ({
  scopes,
  organizationId,
  createdAt,
});

describe('revocation rules', () => {
  const rules = compileRules([
    rule(contoso, ['vso.build'], '2026-02-01T00:00:00.000Z'),
    rule(contoso, ['vso.code'], '2025-06-01T00:00:00.000Z'),
  ]);
  const members = new Set([contoso]);

  it('stops tokens of the organization holding the scope, directly or through a wider scope, or full access', () => {
    expect(rulesRevoke(rules, token(['vso.build'], contoso), members)).toBe(true);
    expect(rulesRevoke(rules, token(['vso.build_execute'], contoso), members)).toBe(true);
    expect(rulesRevoke(rules, token(['app_token'], contoso), members)).toBe(true);
    expect(rulesRevoke(rules, token(['vso.project'], contoso), members)).toBe(false);
  });

  it('keeps tokens created at or after the rule’s time, judged per scope', () => {
    expect(rulesRevoke(rules, token(['vso.build'], contoso, '2026-02-01T00:00:00.000Z'), members)).toBe(false);
    // vso.code's rule is older than this token; vso.build's newer rule does not cover vso.code.
    expect(rulesRevoke(rules, token(['vso.code'], contoso), members)).toBe(false);
    expect(rulesRevoke(rules, token(['vso.code'], contoso, '2025-01-01T00:00:00.000Z'), members)).toBe(true);
  });

  it('reaches all-organization tokens of members only, and never another organization’s tokens', () => {
    expect(rulesRevoke(rules, token(['vso.build'], null), members)).toBe(true);
    expect(rulesRevoke(rules, token(['vso.build'], null), new Set([fabrikam]))).toBe(false);
    expect(rulesRevoke(rules, token(['vso.build'], fabrikam), new Set([contoso, fabrikam]))).toBe(false);
    expect(rulesRevoke(compileRules([]), token(['app_token'], contoso), members)).toBe(false);
  });

  it('refuses a time that is not one', () => {
    expect(() => ruleCreatedBefore('')).toThrow(/createdBefore/);
    expect(() => ruleCreatedBefore('later')).toThrow(/createdBefore/);
    expect(ruleCreatedBefore('2018-07-18T00:51:26.5557358-07:00').toISOString()).toBe('2018-07-18T07:51:26.555Z');
  });

  it('lists the tokens a rule stops as revoked since the earliest such rule, exactly those the hot path stops', () => {
    const raw = [
      { ...rule(contoso, ['vso.build'], '2026-02-01T00:00:00.000Z'), createdAt: '2026-03-01T00:00:00.000Z' },
      { ...rule(contoso, ['vso.code'], '2026-02-01T00:00:00.000Z'), createdAt: '2026-02-15T00:00:00.000Z' },
    ];
    const compiled = compileRules(raw);
    const candidates = [
      { ...token(['vso.build'], contoso), revokedAt: null },
      { ...token(['app_token'], contoso), revokedAt: null },
      { ...token(['vso.build'], null), revokedAt: null },
      { ...token(['vso.build'], fabrikam), revokedAt: null },
      { ...token(['vso.project'], contoso), revokedAt: null },
      { ...token(['vso.build'], contoso, '2026-02-02T00:00:00.000Z'), revokedAt: null },
      { ...token(['vso.build'], contoso), revokedAt: '2025-12-31T00:00:00.000Z' },
    ];
    const listed = withRuleRevocations(raw, candidates, members);
    expect(listed.map((each) => each.revokedAt)).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-02-15T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
      null,
      null,
      null,
      '2025-12-31T00:00:00.000Z',
    ]);
    candidates.slice(0, 6).forEach((candidate, index) => {
      expect(listed[index]?.revokedAt !== null, `token ${index}`).toBe(rulesRevoke(compiled, candidate, members));
    });
    expect(withRuleRevocations([], candidates, members)).toEqual(candidates);
  });
});
