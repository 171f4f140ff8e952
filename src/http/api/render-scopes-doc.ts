import { baseScope, effectiveScopes, fullAccessScope, scopeCatalog } from '../../domain/scopes.js';
import type { ApiLocation, ApiVerb } from './registry.js';

/** The template with its area and resource filled in: `GET {project}/_apis/build/builds/{buildId}/tags`. */
function operationName(location: ApiLocation, verb: ApiVerb): string {
  const template = location.routeTemplate.replace('{area}', location.area).replace('{resource}', location.resourceName);
  return `\`${verb} ${template}\``;
}

/** The operations whose required scopes `accepts` (docs/api.md has their paths and versions). */
function operationNames(locations: readonly ApiLocation[], accepts: (required: readonly string[]) => boolean): string[] {
  const names: string[] = [];
  for (const location of locations) {
    for (const [verb, operation] of Object.entries(location.operations) as [ApiVerb, { scopes: readonly string[] }][]) {
      if (accepts(operation.scopes)) names.push(operationName(location, verb));
    }
  }
  return names;
}

function list(names: readonly string[]): string {
  return names.length === 0 ? '—' : names.join(', ');
}

/**
 * The text of docs/scopes.md: every scope of the catalog, what it includes, which operations name it and which further
 * ones it opens through what it includes. Generated from the registry and the catalog, so it cannot drift from either.
 */
export function renderScopesDoc(locations: readonly ApiLocation[]): string {
  const lines = [
    '# Scopes',
    '',
    '<!-- Generated from src/domain/scopes.ts and src/http/api/areas by `npm run docs`. Do not edit by hand: a test fails when this file is stale. -->',
    '',
    'Every scope a token may hold. **Includes** is what holding the scope also grants (its inheritance chain, as Azure DevOps',
    'defines it). **Needed by** lists the operations that name the scope; **Also opens** the ones a holder may call through what',
    `the scope includes, leaving out those that need only \`${baseScope}\`, which every token holds. \`${fullAccessScope}\` (Full`,
    'access) opens every operation.',
    '`GET /{organization}/_apis/explain?method=&path=` (and `lapis explain`) answers the same question for one request.',
    '',
  ];
  let area = '';
  for (const scope of scopeCatalog) {
    if (scope.area !== area) {
      area = scope.area;
      lines.push(`## ${area}`, '', '| Scope | Grants | Includes | Needed by | Also opens |', '|---|---|---|---|---|');
    }
    const granted = effectiveScopes([scope.id]);
    const includes = [...granted].filter((id) => id !== scope.id && id !== baseScope);
    const direct = operationNames(locations, (required) => required.includes(scope.id));
    const through =
      scope.id === fullAccessScope
        ? ['every operation']
        : operationNames(
            locations,
            (required) => !required.includes(scope.id) && !required.includes(baseScope) && required.some((id) => granted.has(id)),
          );
    const flags = [scope.highPrivilege && 'high privilege', scope.internal && 'not offered on the pages'].filter(Boolean);
    const title = flags.length > 0 ? `${scope.title} (${flags.join(', ')})` : scope.title;
    lines.push(
      `| \`${scope.id}\` | ${title} | ${list(includes.map((id) => `\`${id}\``))} | ${list(direct)} | ${list(through)} |`,
    );
    const next = scopeCatalog[scopeCatalog.indexOf(scope) + 1];
    if (!next || next.area !== area) lines.push('');
  }
  return lines.join('\n');
}
