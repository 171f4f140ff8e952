import Type from 'typebox';
import { buildFilterParameters } from '../../../../domain/build-query.js';
import { maxTagsPerBuild } from '../../../../domain/build-tags.js';
import type { Build } from '../../../../domain/builds.js';
import { DomainError } from '../../../../domain/errors.js';
import { type BuildChanges, maxBuildsPerUpdate } from '../../../../services/builds.js';
import { type ApiLocation, type ApiRequestContext, type ApiResult, operation } from '../../registry.js';
import { PrerenderedResource } from '../../representation.js';
import { mapInSlices } from '../../slices.js';
import {
  enumValue,
  idValue,
  listOf,
  queryInteger,
  queryParameters,
  requiredInteger,
  typedQueryParameters,
} from '../../values.js';
import { BuildJsonWriter } from './build-json.js';
import { buildVersions, caller, requireProject } from './context.js';
import { buildEnums } from './enum-fields.js';
import { loadRelations } from './representation.js';

/** Every query parameter of the builds list: the filters plus paging, ordering and the ones that stand alone. */
export const buildListParameters = [
  ...buildFilterParameters,
  'properties',
  '$top',
  'continuationToken',
  'maxBuildsPerDefinition',
  'deletedFilter',
  'queryOrder',
  'buildIds',
];

const queueBody = Type.Object({
  definition: Type.Optional(Type.Object({ id: idValue })),
  sourceBranch: Type.Optional(Type.String()),
  sourceVersion: Type.Optional(Type.String()),
  parameters: Type.Optional(Type.String()),
  templateParameters: Type.Optional(Type.Record(Type.String(), Type.String())),
  reason: Type.Optional(enumValue),
  priority: Type.Optional(enumValue),
  tags: Type.Optional(Type.Array(Type.String(), { maxItems: maxTagsPerBuild })),
  demands: Type.Optional(Type.Array(Type.Unknown())),
});

const buildChanges = Type.Object({
  id: Type.Optional(idValue),
  status: Type.Optional(enumValue),
  result: Type.Optional(enumValue),
  buildNumber: Type.Optional(Type.String()),
  startTime: Type.Optional(Type.String()),
  finishTime: Type.Optional(Type.String()),
  sourceBranch: Type.Optional(Type.String()),
  sourceVersion: Type.Optional(Type.String()),
  retainedByRelease: Type.Optional(Type.Boolean()),
  keepForever: Type.Optional(Type.Boolean()),
  priority: Type.Optional(enumValue),
  demands: Type.Optional(Type.Array(Type.Unknown())),
});

async function render(context: ApiRequestContext<unknown, unknown>, builds: readonly Build[]) {
  const { organization } = caller(context);
  const writer = new BuildJsonWriter(await loadRelations(context, organization, builds), context);
  return mapInSlices(builds, (build) => new PrerenderedResource(writer.write(build), () => writer.document(build)));
}

/** Lists builds of the URL's project, or of the whole organization when the URL has none. */
export async function listBuilds(context: ApiRequestContext<Partial<Record<string, string>>, unknown>): Promise<ApiResult> {
  const { organization } = caller(context);
  const page = await context.services.builds.list(organization.id, context.project, context.query);
  return listOf(await render(context, page.builds), page.continuationToken);
}

function buildId(context: ApiRequestContext<unknown, unknown>): number {
  return requiredInteger(context.routeValues.buildId, 'buildId');
}

function changesOf(body: BuildChanges & { id?: number | undefined }): BuildChanges {
  const { id: _id, ...changes } = body;
  return changes;
}

export const buildsLocation: ApiLocation = {
  id: '0cd358e1-9217-4d94-8269-1c1ee6f93dcf',
  area: 'build',
  resourceName: 'builds',
  routeTemplate: '{project}/_apis/{area}/{resource}/{buildId}',
  ...buildVersions,
  resourceVersion: 7,
  projectOptional: true,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      enums: buildEnums,
      buildPage: true,
      summary: 'List builds with the filters of the Azure DevOps API (project or whole organization), or get one.',
      query: queryParameters(...buildListParameters, 'propertyFilters'),
      async handler(context) {
        if (context.routeValues.buildId === undefined) return listBuilds(context);
        const { organization } = caller(context);
        const build = await context.services.builds.get(organization.id, context.project, buildId(context));
        const [document] = await render(context, [build]);
        return { body: document };
      },
    }),
    POST: operation({
      scopes: ['vso.build_execute'],
      enums: buildEnums,
      summary: 'Queue a build: body {definition:{id}} or ?definitionId=.',
      query: typedQueryParameters(['ignoreWarnings', 'checkInTicket', 'sourceBuildId'], { definitionId: queryInteger }),
      body: queueBody,
      bodyOptional: true,
      async handler(context) {
        const { user } = caller(context);
        const project = requireProject(context, 'Queueing a build');
        if (context.routeValues.buildId !== undefined) {
          throw new DomainError('invalidInput', 'Queue a build by POSTing to {project}/_apis/build/builds.');
        }
        const body = context.body ?? {};
        const definitionId = body.definition?.id ?? context.query.definitionId;
        if (definitionId === undefined) {
          throw new DomainError('invalidInput', 'Name the pipeline to queue: {"definition":{"id":N}} or ?definitionId=N.');
        }
        const build = await context.services.builds.queue(project, user, { ...body, definitionId });
        const [document] = await render(context, [build]);
        return { body: document };
      },
    }),
    PATCH: operation({
      scopes: ['vso.build_execute'],
      enums: buildEnums,
      summary:
        'Update a build (cancel with status cancelling, set result or times, retainedByRelease, keepForever), or several by an array; a whole Build read before may be sent back.',
      query: queryParameters('retry'),
      body: Type.Union([buildChanges, Type.Array(buildChanges, { maxItems: maxBuildsPerUpdate })]),
      async handler(context) {
        const { organization, user } = caller(context);
        const { builds } = context.services;
        const body = context.body;
        if (context.routeValues.buildId !== undefined) {
          if (Array.isArray(body)) throw new DomainError('invalidInput', 'PATCH one build with one object, not an array.');
          const build = await builds.update(organization.id, context.project, buildId(context), user, changesOf(body));
          const [document] = await render(context, [build]);
          return { body: document };
        }
        if (!Array.isArray(body)) {
          throw new DomainError('invalidInput', 'PATCH _apis/build/builds takes an array of builds, each with its id.');
        }
        const items = body.map((item) => {
          if (item.id === undefined) throw new DomainError('invalidInput', 'Each build in the array needs its id.');
          return { id: item.id, changes: changesOf(item) };
        });
        return listOf(await render(context, await builds.updateMany(organization.id, context.project, user, items)));
      },
    }),
    DELETE: operation({
      scopes: ['vso.build_execute'],
      summary: 'Delete a build (kept as deleted; retained builds are refused).',
      async handler(context) {
        const { organization, user } = caller(context);
        await context.services.builds.remove(organization.id, context.project, buildId(context), user);
        return {};
      },
    }),
  },
};

/**
 * The route the PAT document shows (`{organization}/_apis/build-release/builds`). Azure DevOps has no such location
 * (it answered 404 and the document was corrected); Lapis serves it as the organization-wide build list.
 */
export const buildReleaseAliasLocation: ApiLocation = {
  id: '7e1c4f52-3b8a-4d0e-9c61-2a5f0d3b8e47',
  area: 'build-release',
  resourceName: 'builds',
  routeTemplate: '_apis/{area}/{resource}',
  minVersion: '1.0',
  maxVersion: '7.1',
  releasedVersion: '7.1',
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      enums: buildEnums,
      buildPage: true,
      summary: 'Lapis alias of the organization-wide build list, for the document that uses this URL.',
      query: queryParameters(...buildListParameters),
      handler: listBuilds,
    }),
  },
};
