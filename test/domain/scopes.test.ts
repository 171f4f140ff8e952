import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { baseScope, effectiveScopes, findScope, parseScopes, scopeCatalog, scopesAllow } from '../../src/domain/scopes.js';

describe('scope catalog', () => {
  it('has unique ids, known parents and no cycles', () => {
    const ids = scopeCatalog.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const scope of scopeCatalog) {
      if (scope.inheritsFrom) expect(findScope(scope.inheritsFrom), `${scope.id} -> ${scope.inheritsFrom}`).toBeDefined();
      const seen = new Set<string>();
      let current: string | undefined = scope.id;
      while (current) {
        expect(seen.has(current), `cycle at ${current}`).toBe(false);
        seen.add(current);
        current = findScope(current)?.inheritsFrom;
      }
    }
  });

  it('implies every ancestor: build_execute covers build, hooks and profile', () => {
    const scopes = effectiveScopes(['vso.build_execute']);
    for (const id of ['vso.build_execute', 'vso.build', 'vso.hooks_write', 'vso.hooks', 'vso.profile', baseScope]) {
      expect(scopes.has(id), id).toBe(true);
    }
    expect(scopes.has('vso.project')).toBe(false);
  });

  it('checks requirements in one direction only', () => {
    expect(scopesAllow(effectiveScopes(['vso.build']), ['vso.build'])).toBe(true);
    expect(scopesAllow(effectiveScopes(['vso.build']), ['vso.build_execute'])).toBe(false);
    expect(scopesAllow(effectiveScopes(['vso.project_manage']), ['vso.project_write'])).toBe(true);
    expect(scopesAllow(effectiveScopes(['vso.project']), ['vso.project_manage'])).toBe(false);
    expect(scopesAllow(effectiveScopes(['vso.project']), ['vso.profile', 'vso.project'])).toBe(true);
  });

  it('gives every token discovery, and full access everything', () => {
    expect(scopesAllow(effectiveScopes(['vso.code']), [baseScope])).toBe(true);
    expect(scopesAllow(effectiveScopes(['app_token']), ['vso.tokenadministration'])).toBe(true);
  });

  it('parses space-separated scopes and refuses unknown or internal-only ones', () => {
    expect(parseScopes('vso.build  vso.project vso.build')).toEqual(['vso.build', 'vso.project']);
    expect(() => parseScopes('vso.build vso.nonsense')).toThrowError(/Unknown scope: vso.nonsense/);
    expect(() => parseScopes('vso.base')).toThrowError(DomainError);
    expect(() => parseScopes('   ')).toThrowError(/At least one scope/);
  });
});
