import { findScope } from '../../domain/scopes.js';
import { formatApiVersion } from './api-version.js';
import { type ApiLocation, ApiRegistry, type ApiVerb } from './registry.js';

function scopeText(scopes: readonly string[]): string {
  return scopes.map((id) => `\`${id}\` (${findScope(id)?.title ?? id})`).join(' or ');
}

function displayPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

/** The text of docs/api.md, generated from the registry so routes, versions and scopes cannot drift from the code. */
export function renderApiDoc(locations: readonly ApiLocation[]): string {
  const registry = new ApiRegistry(locations);
  const lines = [
    '# REST API',
    '',
    '<!-- Generated from src/http/api/areas by `npm run docs`. Do not edit by hand: a test fails when this file is stale. -->',
    '',
    'Every route Lapis serves, as its API location registry declares it. Paths are relative to the server; `{organization}` is',
    'the organization name (case-insensitive), `{project}` a project name or id. Optional segments may be left out, as the',
    'Azure DevOps clients do. Without `api-version`, GET uses the released version; POST, PUT, PATCH and DELETE must send one',
    '(query `api-version=` or `Accept: application/json;api-version=`). A token with any one of the listed scopes (or a scope',
    'that inherits from it, or `app_token`) may call the operation. Discovery (`OPTIONS /{organization}/_apis[/{area}[/{resource}]]`,',
    'also at `/_apis`) needs only `vso.base`, which every token holds.',
    '',
    `Newest version served: ${formatApiVersion(registry.serverMax)}.`,
    '',
  ];
  for (const location of locations) {
    const paths = registry.routes.filter((route) => route.location === location).map((route) => `\`${displayPath(route.path)}\``);
    lines.push(
      `## ${location.area} / ${location.resourceName}`,
      '',
      `- Location id: \`${location.id}\``,
      `- Route template: \`${location.routeTemplate}\``,
      `- Versions: min ${location.minVersion}, max ${location.maxVersion}, released ${location.releasedVersion}, resource version ${location.resourceVersion}`,
      `- Paths: ${paths.join(', ')}`,
      '',
      '| Verb | Required scope | Credentials | What it does |',
      '|---|---|---|---|',
    );
    for (const [verb, operation] of Object.entries(location.operations) as [
      ApiVerb,
      NonNullable<ApiLocation['operations'][ApiVerb]>,
    ][]) {
      const credentials = `${operation.accepts ? operation.accepts.join(', ') : 'any'}${operation.anonymous ? '; anonymous allowed' : ''}`;
      lines.push(`| ${verb} | ${scopeText(operation.scopes)} | ${credentials} | ${operation.summary.replaceAll('|', '\\|')} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
