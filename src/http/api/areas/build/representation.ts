import type { Build, BuildDefinition } from '../../../../domain/builds.js';
import type { Organization, Project, User } from '../../../../domain/entities.js';
import { identityRef, projectReference } from '../../references.js';
import type { ApiRequestContext } from '../../registry.js';

/** What rendering a page of builds needs besides the builds: their pipelines, projects and people. */
export interface BuildRelations {
  definitions: Map<number, BuildDefinition>;
  projects: Map<string, Project>;
  users: Map<string, User>;
}

export async function loadRelations(
  context: ApiRequestContext<unknown, unknown>,
  organization: Organization,
  builds: readonly Build[],
  definitions: readonly BuildDefinition[] = [],
): Promise<BuildRelations> {
  const { services } = context;
  const definitionsById = await services.definitions.byIds(
    organization.id,
    builds.map((build) => build.definitionId),
  );
  for (const definition of definitions) definitionsById.set(definition.id, definition);
  const projects = new Map<string, Project>();
  if (context.project) projects.set(context.project.id, context.project);
  for (const projectId of new Set([...builds.map((b) => b.projectId), ...definitions.map((d) => d.projectId)])) {
    if (projects.has(projectId)) continue;
    const project = await services.projects.findById(organization.id, projectId);
    if (project) projects.set(projectId, project);
  }
  const users = await services.users.byIds([
    ...builds.flatMap((b) => [b.requestedForId, b.requestedById, b.lastChangedById, ...(b.deletedById ? [b.deletedById] : [])]),
    ...definitions.map((d) => d.authoredById),
  ]);
  return { definitions: definitionsById, projects, users };
}

interface Urls {
  baseUrl: string;
  collectionUrl: string;
}

function projectUrl(urls: Urls, project: Project): string {
  return `${urls.collectionUrl}/${project.id}`;
}

export function person(users: Map<string, User>, id: string | null, urls: Urls) {
  const user = id ? users.get(id) : undefined;
  return user ? identityRef(user, urls.collectionUrl) : undefined;
}

export function repositoryOf(definition: BuildDefinition, project: Project, urls: Urls): Record<string, unknown> {
  const repository = definition.settings.repository;
  const name = typeof repository.name === 'string' ? repository.name : project.name;
  return { url: `${projectUrl(urls, project)}/_git/${encodeURIComponent(name)}`, ...repository };
}

/** DefinitionReference: what a build says about its pipeline. */
export function definitionReference(definition: BuildDefinition, project: Project, urls: Urls) {
  return {
    drafts: [],
    id: definition.id,
    name: definition.name,
    url: `${projectUrl(urls, project)}/_apis/build/Definitions/${definition.id}?revision=${definition.revision}`,
    uri: `vstfs:///Build/Definition/${definition.id}`,
    path: definition.path,
    type: 'build',
    queueStatus: definition.queueStatus,
    revision: definition.revision,
    createdDate: definition.createdDate,
    project: projectReference(project, urls.collectionUrl),
  };
}

/** Each definition's newest build and newest completed build, rendered, for `includeLatestBuilds=true`. */
export type LatestBuilds = Map<number, { latestBuild?: unknown; latestCompletedBuild?: unknown }>;

export async function latestBuilds(
  context: ApiRequestContext<unknown, unknown>,
  project: Project,
  definitions: readonly BuildDefinition[],
): Promise<LatestBuilds> {
  const { builds } = context.services;
  const found = new Map<number, { latestBuild?: Build; latestCompletedBuild?: Build }>();
  for (const definition of definitions) {
    const latestBuild = await builds.newest(project, definition.id, { completed: false });
    const latestCompletedBuild = await builds.newest(project, definition.id, { completed: true });
    found.set(definition.id, { ...(latestBuild && { latestBuild }), ...(latestCompletedBuild && { latestCompletedBuild }) });
  }
  const all = [...found.values()]
    .flatMap((entry) => [entry.latestBuild, entry.latestCompletedBuild])
    .filter((b) => b !== undefined);
  if (!context.organization) return new Map();
  const relations = await loadRelations(context, context.organization, all, definitions);
  const render = (build: Build | undefined) => build && buildDocument(build, relations, context);
  return new Map(
    [...found].map(([id, entry]) => [
      id,
      {
        ...(entry.latestBuild && { latestBuild: render(entry.latestBuild) }),
        ...(entry.latestCompletedBuild && { latestCompletedBuild: render(entry.latestCompletedBuild) }),
      },
    ]),
  );
}

/** BuildDefinitionReference, as lists return it. */
export function definitionListItem(definition: BuildDefinition, relations: BuildRelations, urls: Urls, latest?: LatestBuilds) {
  const project = relations.projects.get(definition.projectId);
  if (!project) throw new Error(`project ${definition.projectId} of definition ${definition.id} is missing`);
  const base = projectUrl(urls, project);
  const reference = definitionReference(definition, project, urls);
  return {
    _links: {
      self: { href: reference.url },
      web: { href: `${base}/_build/definition?definitionId=${definition.id}` },
      editor: { href: `${base}/_build/designer?id=${definition.id}&_a=edit-build-definition` },
      badge: { href: `${base}/_apis/build/status/${definition.id}` },
    },
    quality: 'definition',
    authoredBy: person(relations.users, definition.authoredById, urls),
    queue: definition.settings.queue,
    ...reference,
    ...latest?.get(definition.id),
  };
}

/** The whole BuildDefinition. */
export function definitionDocument(definition: BuildDefinition, relations: BuildRelations, urls: Urls, latest?: LatestBuilds) {
  const project = relations.projects.get(definition.projectId);
  if (!project) throw new Error(`project ${definition.projectId} of definition ${definition.id} is missing`);
  const { settings } = definition;
  return {
    ...definitionListItem(definition, relations, urls, latest),
    description: settings.description,
    comment: settings.comment,
    buildNumberFormat: definition.buildNumberFormat,
    badgeEnabled: settings.badgeEnabled,
    jobAuthorizationScope: settings.jobAuthorizationScope,
    jobTimeoutInMinutes: settings.jobTimeoutInMinutes,
    jobCancelTimeoutInMinutes: settings.jobCancelTimeoutInMinutes,
    repository: repositoryOf(definition, project, urls),
    process: settings.process,
    variables: settings.variables,
    variableGroups: settings.variableGroups,
    triggers: settings.triggers,
    options: settings.options,
    demands: settings.demands,
    retentionRules: settings.retentionRules,
    properties: settings.properties,
    tags: settings.tags,
  };
}

/** The Build object with the fields Azure DevOps returns. */
export function buildDocument(build: Build, relations: BuildRelations, urls: Urls) {
  const project = relations.projects.get(build.projectId);
  const definition = relations.definitions.get(build.definitionId);
  if (!project || !definition) throw new Error(`relations of build ${build.id} are missing`);
  const base = projectUrl(urls, project);
  const url = `${base}/_apis/build/Builds/${build.id}`;
  const repository = repositoryOf(definition, project, urls);
  return {
    _links: {
      self: { href: url },
      web: { href: `${base}/_build/results?buildId=${build.id}` },
      timeline: { href: `${url}/Timeline` },
      badge: { href: `${base}/_apis/build/status/${definition.id}` },
    },
    properties: {},
    tags: build.tags,
    validationResults: [],
    plans: [],
    templateParameters: build.templateParameters,
    triggerInfo: build.triggerInfo,
    id: build.id,
    buildNumber: build.buildNumber,
    status: build.status,
    ...(build.result && { result: build.result }),
    queueTime: build.queueTime,
    ...(build.startTime && { startTime: build.startTime }),
    ...(build.finishTime && { finishTime: build.finishTime }),
    url,
    definition: definitionReference(definition, project, urls),
    ...(build.buildNumberRevision !== null && { buildNumberRevision: build.buildNumberRevision }),
    project: projectReference(project, urls.collectionUrl),
    uri: `vstfs:///Build/Build/${build.id}`,
    sourceBranch: build.sourceBranch,
    sourceVersion: build.sourceVersion,
    queue: definition.settings.queue,
    priority: build.priority,
    demands: build.demands,
    reason: build.reason,
    requestedFor: person(relations.users, build.requestedForId, urls),
    requestedBy: person(relations.users, build.requestedById, urls),
    lastChangedDate: build.lastChangedDate,
    lastChangedBy: person(relations.users, build.lastChangedById, urls),
    ...(build.parameters !== null && { parameters: build.parameters }),
    logs: { id: 0, type: 'Container', url: `${url}/logs` },
    repository: {
      id: repository.id,
      type: repository.type,
      name: repository.name,
      url: repository.url,
      clean: repository.clean ?? null,
      checkoutSubmodules: repository.checkoutSubmodules ?? false,
    },
    retainedByRelease: build.retainedByRelease,
    triggeredByBuild: null,
    keepForever: build.keepForever,
    deleted: build.deleted,
    ...(build.deletedDate && { deletedDate: build.deletedDate, deletedBy: person(relations.users, build.deletedById, urls) }),
    appendCommitMessageToRunName: true,
  };
}
