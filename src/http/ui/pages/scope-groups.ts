import { findScope, fullAccessScope, isFullAccess, type ScopeDefinition, scopeCatalog } from '../../../domain/scopes.js';

export interface ScopeChoice {
  id: string;
  /** The level alone ("Read and execute") when the area heading already names the resource, else the full title. */
  label: string;
  title: string;
  highPrivilege: boolean;
}

export interface ScopeGroup {
  area: string;
  choices: ScopeChoice[];
}

const titleParts = /^(.+) \((.+)\)$/;

function choicesFor(scopes: ScopeDefinition[]): ScopeChoice[] {
  const parts = scopes.map((scope) => titleParts.exec(scope.title));
  const resources = new Set(parts.map((match) => match?.[1]));
  const levelsOnly = resources.size === 1 && parts.every(Boolean);
  return scopes.map((scope, index) => {
    const level = parts[index]?.[2] ?? scope.title;
    return {
      id: scope.id,
      label: levelsOnly ? level.charAt(0).toUpperCase() + level.slice(1) : scope.title,
      title: scope.title,
      highPrivilege: scope.highPrivilege === true,
    };
  });
}

/** The scopes a person may pick on the token pages, grouped by area in catalog order; full access has its own control. */
export const scopeGroups: readonly ScopeGroup[] = (() => {
  const byArea = new Map<string, ScopeDefinition[]>();
  for (const scope of scopeCatalog) {
    if (scope.internal || scope.id === fullAccessScope) continue;
    byArea.set(scope.area, [...(byArea.get(scope.area) ?? []), scope]);
  }
  return [...byArea].map(([area, scopes]) => ({ area, choices: choicesFor(scopes) }));
})();

/** A token's scopes in words, as the list shows them. */
export function scopesInWords(scopes: readonly string[]): string {
  if (isFullAccess(scopes)) return 'Full access';
  return scopes.map((id) => findScope(id)?.title ?? id).join(', ');
}
