import { DomainError } from './errors.js';

export interface ScopeDefinition {
  id: string;
  /** Group shown on the token pages. */
  area: string;
  title: string;
  /** The scope this one includes (a holder of this scope may also do everything the parent allows). */
  inheritsFrom?: string;
  /** High-privilege scopes are flagged on the pages. */
  highPrivilege?: boolean;
  /** Internal scopes are recognised but not offered on the pages. */
  internal?: boolean;
}

/** Full access: every route. */
export const fullAccessScope = 'app_token';
/** Location discovery: every token holds it implicitly. */
export const baseScope = 'vso.base';

function group(area: string, entries: readonly [string, string, string?, boolean?][]): ScopeDefinition[] {
  return entries.map(([id, title, inheritsFrom, highPrivilege]) => ({
    id,
    area,
    title,
    ...(inheritsFrom && { inheritsFrom }),
    ...(highPrivilege && { highPrivilege }),
  }));
}

/** The public Azure DevOps scope catalog with its inheritance. */
export const scopeCatalog: readonly ScopeDefinition[] = [
  { id: fullAccessScope, area: 'Full access', title: 'Full access', highPrivilege: true },
  { id: baseScope, area: 'Discovery', title: 'Location discovery', internal: true },
  ...group('Advanced Security', [
    ['vso.advsec', 'Advanced Security (read)', undefined, true],
    ['vso.advsec_write', 'Advanced Security (read and write)', 'vso.advsec', true],
    ['vso.advsec_manage', 'Advanced Security (read, write and manage)', 'vso.advsec_write', true],
  ]),
  ...group('Agent Pools', [
    ['vso.agentpools', 'Agent pools (read)'],
    ['vso.agentpools_manage', 'Agent pools (read and manage)', 'vso.agentpools', true],
    ['vso.environment_manage', 'Environments (read and manage)', 'vso.agentpools_manage', true],
  ]),
  ...group('Analytics', [['vso.analytics', 'Analytics (read)']]),
  ...group('Auditing', [
    ['vso.auditlog', 'Audit log (read)'],
    ['vso.auditstreams_manage', 'Audit streams (manage)', 'vso.auditlog', true],
  ]),
  ...group('Build', [
    ['vso.build', 'Build (read)', 'vso.hooks_write'],
    ['vso.build_execute', 'Build (read and execute)', 'vso.build', true],
  ]),
  ...group('Code', [
    ['vso.code', 'Code (read)', 'vso.hooks_write'],
    ['vso.code_write', 'Code (read and write)', 'vso.code', true],
    ['vso.code_manage', 'Code (read, write and manage)', 'vso.code_write', true],
    ['vso.code_full', 'Code (full)', 'vso.code_manage', true],
    ['vso.code_status', 'Code (status)'],
  ]),
  ...group('Connected Server', [['vso.connected_server', 'Connected server']]),
  ...group('Entitlements', [
    ['vso.entitlements', 'Entitlements (read)'],
    ['vso.memberentitlementmanagement', 'Member entitlement management (read)'],
    ['vso.memberentitlementmanagement_write', 'Member entitlement management (write)', 'vso.memberentitlementmanagement', true],
  ]),
  ...group('Extensions', [
    ['vso.extension', 'Extensions (read)', 'vso.profile'],
    ['vso.extension_manage', 'Extensions (read and manage)', 'vso.extension', true],
    ['vso.extension.data', 'Extension data (read)', 'vso.profile'],
    ['vso.extension.data_write', 'Extension data (read and write)', 'vso.extension.data'],
  ]),
  ...group('GitHub Connections', [
    ['vso.githubconnections', 'GitHub connections (read)'],
    ['vso.githubconnections_manage', 'GitHub connections (read and manage)', 'vso.githubconnections', true],
  ]),
  ...group('Graph & Identity', [
    ['vso.graph', 'Graph (read)'],
    ['vso.graph_manage', 'Graph (manage)', 'vso.graph', true],
    ['vso.identity', 'Identity (read)'],
    ['vso.identity_manage', 'Identity (manage)', 'vso.identity', true],
  ]),
  ...group('Deployment Groups', [
    ['vso.machinegroup_manage', 'Deployment groups (read and manage)', 'vso.agentpools_manage', true],
  ]),
  ...group('Marketplace', [
    ['vso.gallery', 'Marketplace (read)', 'vso.profile'],
    ['vso.gallery_acquire', 'Marketplace (acquire)', 'vso.gallery'],
    ['vso.gallery_publish', 'Marketplace (publish)', 'vso.gallery', true],
    ['vso.gallery_manage', 'Marketplace (manage)', 'vso.gallery_publish', true],
  ]),
  ...group('Notifications', [
    ['vso.notification', 'Notifications (read)', 'vso.profile'],
    ['vso.notification_write', 'Notifications (write)', 'vso.notification'],
    ['vso.notification_manage', 'Notifications (manage)', 'vso.notification_write'],
    ['vso.notification_diagnostics', 'Notifications (diagnostics)', 'vso.notification'],
  ]),
  ...group('Packaging', [
    ['vso.packaging', 'Packaging (read)', 'vso.profile'],
    ['vso.packaging_write', 'Packaging (read and write)', 'vso.packaging', true],
    ['vso.packaging_manage', 'Packaging (read, write and manage)', 'vso.packaging_write', true],
  ]),
  ...group('Pipeline Resources', [
    ['vso.pipelineresources_use', 'Pipeline resources (use)', undefined, true],
    ['vso.pipelineresources_manage', 'Pipeline resources (use and manage)', 'vso.pipelineresources_use', true],
  ]),
  ...group('Project and Team', [
    ['vso.project', 'Project and team (read)'],
    ['vso.project_write', 'Project and team (read and write)', 'vso.project'],
    ['vso.project_manage', 'Project and team (read, write and manage)', 'vso.project_write', true],
  ]),
  ...group('Release', [
    ['vso.release', 'Release (read)', 'vso.profile'],
    ['vso.release_execute', 'Release (read, write and execute)', 'vso.release', true],
    ['vso.release_manage', 'Release (read, write, execute and manage)', 'vso.release_execute', true],
  ]),
  ...group('Secure Files', [
    ['vso.securefiles_read', 'Secure files (read)', undefined, true],
    ['vso.securefiles_write', 'Secure files (read and create)', 'vso.securefiles_read', true],
    ['vso.securefiles_manage', 'Secure files (read, create and manage)', 'vso.securefiles_write', true],
  ]),
  ...group('Security', [['vso.security_manage', 'Security (manage)', undefined, true]]),
  ...group('Service Connections', [
    ['vso.serviceendpoint', 'Service connections (read)', 'vso.profile'],
    ['vso.serviceendpoint_query', 'Service connections (read and query)', 'vso.serviceendpoint'],
    ['vso.serviceendpoint_manage', 'Service connections (read, query and manage)', 'vso.serviceendpoint_query', true],
  ]),
  ...[
    { id: 'vso.hooks', area: 'Service Hooks', title: 'Service hooks (read)', inheritsFrom: 'vso.profile', internal: true },
    {
      id: 'vso.hooks_write',
      area: 'Service Hooks',
      title: 'Service hooks (read and write)',
      inheritsFrom: 'vso.hooks',
      internal: true,
    },
    {
      id: 'vso.hooks_interact',
      area: 'Service Hooks',
      title: 'Service hooks (interact)',
      inheritsFrom: 'vso.profile',
      internal: true,
    },
  ],
  ...group('Settings', [
    ['vso.settings', 'Settings (read)'],
    ['vso.settings_write', 'Settings (read and write)', 'vso.settings'],
  ]),
  ...group('Symbols', [
    ['vso.symbols', 'Symbols (read)', 'vso.profile'],
    ['vso.symbols_write', 'Symbols (read and write)', 'vso.symbols'],
    ['vso.symbols_manage', 'Symbols (read, write and manage)', 'vso.symbols_write'],
  ]),
  ...group('Task Groups', [
    ['vso.taskgroups_read', 'Task groups (read)'],
    ['vso.taskgroups_write', 'Task groups (read and create)', 'vso.taskgroups_read'],
    ['vso.taskgroups_manage', 'Task groups (read, create and manage)', 'vso.taskgroups_write', true],
  ]),
  ...group('Team Dashboards', [
    ['vso.dashboards', 'Team dashboards (read)'],
    ['vso.dashboards_manage', 'Team dashboards (manage)', 'vso.dashboards'],
  ]),
  ...group('Test Management', [
    ['vso.test', 'Test management (read)', 'vso.profile'],
    ['vso.test_write', 'Test management (read and write)', 'vso.test'],
  ]),
  ...group('Threads', [['vso.threads_full', 'Pull request threads']]),
  ...group('Tokens', [
    ['vso.tokens', 'Delegated authorization tokens', undefined, true],
    ['vso.tokenadministration', 'Token administration', undefined, true],
  ]),
  ...group('User Profile', [
    ['vso.profile', 'User profile (read)'],
    ['vso.profile_write', 'User profile (write)', 'vso.profile'],
  ]),
  ...group('Variable Groups', [
    ['vso.variablegroups_read', 'Variable groups (read)'],
    ['vso.variablegroups_write', 'Variable groups (read and create)', 'vso.variablegroups_read'],
    ['vso.variablegroups_manage', 'Variable groups (read, create and manage)', 'vso.variablegroups_write', true],
  ]),
  ...group('Wiki', [
    ['vso.wiki', 'Wiki (read)'],
    ['vso.wiki_write', 'Wiki (read and write)', 'vso.wiki'],
  ]),
  ...group('Work Items', [
    ['vso.work', 'Work items (read)', 'vso.hooks_write'],
    ['vso.work_write', 'Work items (read and write)', 'vso.work'],
    ['vso.work_full', 'Work items (full)', 'vso.work_write'],
  ]),
  {
    id: 'user_impersonation',
    area: 'Full access',
    title: 'User impersonation (full access)',
    highPrivilege: true,
    internal: true,
  },
];

const byId = new Map(scopeCatalog.map((s) => [s.id, s]));

export function findScope(id: string): ScopeDefinition | undefined {
  return byId.get(id);
}

/** Scopes that grant everything. */
const fullAccess = new Set([fullAccessScope, 'user_impersonation']);

/**
 * Parses a space-separated scope string (as Azure DevOps writes it) into known, de-duplicated ids.
 * Unknown scopes are refused: a token must never carry a scope nobody can interpret.
 */
export function parseScopes(value: string): string[] {
  const ids = [...new Set(value.split(/[\s,]+/).filter(Boolean))];
  if (ids.length === 0) throw new DomainError('invalidInput', 'At least one scope is required.');
  const unknown = ids.filter((id) => !byId.has(id) || id === baseScope);
  if (unknown.length > 0) throw new DomainError('invalidInput', `Unknown scope: ${unknown.join(', ')}.`);
  return ids;
}

/** Every scope a set of granted scopes implies: themselves, their ancestors, and `vso.base`. */
export function effectiveScopes(granted: Iterable<string>): ReadonlySet<string> {
  const result = new Set<string>([baseScope]);
  for (const id of granted) {
    let current: string | undefined = id;
    while (current && !result.has(current)) {
      result.add(current);
      current = byId.get(current)?.inheritsFrom;
    }
  }
  return result;
}

/** Whether effective scopes meet a requirement satisfied by any one of `anyOf`. */
export function scopesAllow(effective: ReadonlySet<string>, anyOf: readonly string[]): boolean {
  for (const id of effective) if (fullAccess.has(id)) return true;
  return anyOf.some((id) => effective.has(id));
}

export function isFullAccess(granted: Iterable<string>): boolean {
  for (const id of granted) if (fullAccess.has(id)) return true;
  return false;
}
